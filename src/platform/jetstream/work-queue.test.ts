import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../shared/logger.js';
import { withJsm } from '../../testing/backends.js';
import { needService, uniqueName } from '../../testing/services.js';
import { waitFor } from '../../testing/wait.js';
import type { Codec, Delivery } from '../queue/types.js';
import { createRuntime } from '../runtime.js';
import { openJetStreamQueue } from './work-queue.js';

const gate = await needService('nats');

const TEXT: Codec<string> = {
  encode: (s) => new TextEncoder().encode(s),
  decode: (b) => {
    const s = new TextDecoder().decode(b);
    if (s.startsWith('!')) throw new Error('not a message of ours');
    return s;
  },
};

async function open(stream: string) {
  const rt = createRuntime({ name: 'jstest', logger: silentLogger(), defaultMetrics: false });
  const queue = await openJetStreamQueue(rt, { url: gate.url, stream, consumer: 'workers', codec: TEXT });
  return { rt, queue };
}

/** Takes deliveries one by one from a running consumer. */
function takeDeliveries(source: AsyncIterable<Delivery<string>>) {
  const it = source[Symbol.asyncIterator]();
  return async () => (await it.next()).value as Delivery<string>;
}

test('jetstream queue: headers cross the queue; faults are counted on the item, hand-backs are not', {
  skip: gate.skip,
  timeout: 30_000,
}, async () => {
  const stream = uniqueName('JSQ').toUpperCase();
  const { rt, queue } = await open(stream);
  const dead: string[] = [];
  try {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await queue.publish('a', { id: 'id-a', headers: { traceparent } });
    const next = takeDeliveries(queue.deliveries(1, (reason) => dead.push(reason)));

    let d = await next();
    assert.equal(d.item, 'a');
    assert.equal(d.headers.traceparent, traceparent, 'publish headers arrive with the delivery');
    assert.equal(d.faults, 0);
    d.release(0); // a stopping worker hands it back: no fault
    d = await next();
    assert.equal(d.faults, 0, 'a hand-back is not an attempt of the item');

    const failedAt = Date.now();
    await d.fail(300); // the item's own fault, retried after 300 ms
    d = await next();
    assert.equal(d.item, 'a');
    assert.equal(d.faults, 1, 'the fault is counted on the item');
    assert.ok(Date.now() - failedAt >= 280, `the backoff was kept (${Date.now() - failedAt} ms)`);
    assert.equal(d.headers.traceparent, traceparent, 'and its headers survive the retry');

    await d.deadLetter('gave up');
    const dlq = await withJsm((jsm) => jsm.streams.getMessage(`${stream}_DLQ`, { seq: 1 }));
    assert.equal(dlq?.header.get('Nats-Msg-Id'), 'id-a', 'deduped by the first publish’s id');
    assert.equal(dlq?.header.get('Peaklab-Attempts'), '2');
    assert.equal(dlq?.header.get('Peaklab-Reason'), 'gave up');
    assert.equal(dlq?.header.get('traceparent'), traceparent);

    // A message that does not decode is dead-lettered by the queue itself, after one delivery.
    await withJsm((_jsm, js) => js.publish(`${stream}.new`, '!garbage'));
    const pulling = next(); // the consumer runs only while someone waits for a delivery
    const deadLettered = await waitFor(async () => dead.length === 1, 5000, 50);
    assert.ok(deadLettered);
    assert.ok(await waitFor(async () => queue.depth() === 0, 5000, 100), 'the work stream is empty');
    await queue.stop();
    assert.equal(await pulling, undefined, 'stop() ends the deliveries');
  } finally {
    await queue.stop();
    await rt.lifecycle.shutdown();
    await withJsm(async (jsm) => {
      for (const name of [stream, `${stream}_DLQ`]) await jsm.streams.delete(name).catch(() => false);
    });
  }
});
