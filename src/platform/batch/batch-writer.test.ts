import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchWriter } from './batch-writer.js';

test('batch writer: drain() flushes what is pending and reports 0 dropped', async () => {
  const written: number[][] = [];
  const writer = new BatchWriter<number, boolean>(
    async (items) => {
      written.push(items);
      return items.map(() => true);
    },
    1,
    100,
  );
  const saved = Promise.all([1, 2, 3].map((n) => writer.add(n)));
  assert.equal(await writer.drain(AbortSignal.timeout(5000)), 0);
  assert.deepEqual(await saved, [true, true, true]);
  assert.deepEqual(written, [[1, 2, 3]]);
});

test('batch writer: a drain that cannot finish stops at the deadline, counting what it dropped', {
  timeout: 5000,
}, async () => {
  // The database never answers: the first flush hangs, the next items wait behind it.
  const writer = new BatchWriter<number, boolean>(() => new Promise(() => {}), 1, 2);
  const saved = [1, 2, 3, 4, 5].map((n) => writer.add(n).catch((err: unknown) => err));
  await new Promise((r) => setImmediate(r));
  const started = Date.now();
  const dropped = await writer.drain(AbortSignal.timeout(200));
  assert.ok(Date.now() - started < 1000, 'it returned at the deadline');
  assert.equal(dropped, 5, 'the 2 in the hung flush and the 3 waiting');
  for (const r of await Promise.all(saved)) assert.match(String(r), /not written: the writer stopped/);
});
