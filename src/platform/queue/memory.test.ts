import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { MemoryWorkQueue } from './memory.js';
import type { Delivery } from './types.js';

// The queue's retry timers do not keep a process alive (a service's server does): this test's does.
const alive = setInterval(() => {}, 1000);
after(() => clearInterval(alive));

function taker(queue: MemoryWorkQueue<string>) {
  const it = queue.deliveries(10)[Symbol.asyncIterator]();
  return async () => (await it.next()).value as Delivery<string>;
}

test('memory queue: faults are counted on the item, hand-backs are not; headers travel', async () => {
  const queue = new MemoryWorkQueue<string>('orders');
  await queue.publish('a', { headers: { traceparent: 't' } });
  const next = taker(queue);
  let d = await next();
  assert.deepEqual([d.item, d.faults, d.headers.traceparent], ['a', 0, 't']);
  d.release(0);
  d = await next();
  assert.equal(d.faults, 0);
  await d.fail(0);
  d = await next();
  assert.equal(d.faults, 1);
  await d.deadLetter('bad');
  assert.deepEqual(queue.dead, [{ item: 'a', reason: 'bad', attempts: 2 }]);
  assert.equal(queue.deadLetters(), 1);
  assert.equal(queue.depth(), 0);
  await queue.stop();
});

test('memory queue: close() gives up and counts what it still holds, backoffs and deliveries included', async () => {
  const queue = new MemoryWorkQueue<string>('orders');
  for (const s of ['a', 'b', 'c', 'd']) await queue.publish(s);
  const next = taker(queue);
  const held = await next(); // delivered, not settled
  const backoff = await next();
  await backoff.fail(60_000); // waiting out a backoff
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(queue.oldestAgeSeconds() >= 0.015, 'the oldest item has waited since its publish');
  assert.equal(queue.depth(), 4);
  assert.equal(await queue.close(), 4, 'c and d waiting, b in backoff, a in a worker');
  assert.equal(queue.depth(), 0);
  await held.ack(); // a worker finishing late changes nothing
  assert.equal(queue.depth(), 0);
  await assert.rejects(queue.publish('e'), /closed/);
});
