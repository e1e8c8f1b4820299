import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestOne } from '@nats-io/nats-core/internal';
import { needService, uniqueName } from '../../testing/services.js';
import { connectNats } from './connect.js';

const gate = await needService('nats');

/**
 * skipDiscardedRequestErrors (installed by connectNats): a NATS request no longer builds a throwaway
 * RequestError once it is answered, and answers, timeouts and "no responders" settle as before.
 */
test('nats requests: answered without a discarded error; timeouts and no responders still reject', {
  skip: gate.skip,
  timeout: 20_000,
}, async () => {
  const nc = await connectNats(gate.url, 'request-cleanup-test');
  const proto = RequestOne.prototype;
  const cancel = proto.cancel;
  let cancels = 0;
  proto.cancel = function counted(this: RequestOne, err?: Error) {
    cancels++;
    return cancel.call(this, err);
  };
  try {
    const subject = uniqueName('rc');
    const sub = nc.subscribe(`${subject}.echo`, {
      callback: (_e, m) => {
        m.respond(m.data);
      },
    });
    nc.subscribe(`${subject}.silent`); // takes requests and never answers
    await nc.flush();

    const replies = await Promise.all(
      [1, 2, 3].map((n) => nc.request(`${subject}.echo`, String(n), { timeout: 2000 })),
    );
    assert.deepEqual(
      replies.map((m) => m.string()),
      ['1', '2', '3'],
    );
    assert.equal(cancels, 0, 'an answered request calls no cancel(), so builds no RequestError');

    await assert.rejects(nc.request(`${subject}.silent`, 'x', { timeout: 200 }), { name: 'TimeoutError' });
    await assert.rejects(nc.request(`${subject}.nobody`, 'x', { timeout: 2000 }), (err: Error) => {
      assert.equal(err.name, 'RequestError');
      assert.ok((err as Error & { isNoResponders(): boolean }).isNoResponders());
      return true;
    });
    sub.unsubscribe();
  } finally {
    proto.cancel = cancel;
    await nc.close();
  }
});
