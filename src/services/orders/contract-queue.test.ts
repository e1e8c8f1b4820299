import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testBackends, withJsm } from '../../testing/backends.js';
import { needService } from '../../testing/services.js';
import { decodeOrder } from './adapters/order-codec.js';
import { postOrder, startTestService } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

test('contract (queue): a 200 means the order is already in the stream; no stream, no 200', {
  skip: pgGate.skip || natsGate.skip,
}, async () => {
  const backends = testBackends('qcontract');
  // Intake only: nothing consumes, so every acknowledged order must still be in the stream.
  const svc = await startTestService(backends, { mode: 'queue', workers: '0' });
  const subject = `${backends.stream}.new`;
  try {
    for (let i = 1; i <= 5; i++) {
      const res = await postOrder(svc.url, { product_id: i, count: 1, username: `q${i}` });
      assert.equal(res.status, 200);
      // Read right after the 200: JetStream had stored it before the intake answered.
      const last = await withJsm(async (jsm) => {
        assert.equal((await jsm.streams.info(backends.stream)).state.messages, i, `${i} stored`);
        return jsm.streams.getMessage(backends.stream, { last_by_subj: subject });
      });
      assert.ok(last !== null);
      const stored = decodeOrder(last.json());
      assert.equal(stored.id, res.body.id);
      assert.equal(last.header.get('Nats-Msg-Id'), res.body.id, 'deduped by the order id');
      assert.deepEqual([stored.productId, stored.username], [i, `q${i}`]);
    }
    // Without the stream JetStream cannot acknowledge: the client must not get a 200.
    await withJsm((jsm) => jsm.streams.delete(backends.stream));
    const refused = await postOrder(svc.url);
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body, { result: 'unavailable' });
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});
