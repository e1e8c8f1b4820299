import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PublishBatcher } from './publish-batcher.js';

test('publish batcher: drain waits for acknowledgements; at the deadline it counts and fails the rest', async () => {
  const acks = new Map<number, () => void>();
  const batcher = new PublishBatcher<number>(
    (n) =>
      new Promise<void>((resolve) => {
        acks.set(n, resolve);
      }),
  );
  const published = [1, 2, 3].map((n) =>
    batcher.add(n).then(
      () => 'acked',
      (err: Error) => err.message,
    ),
  );
  await new Promise((r) => setImmediate(r));
  acks.get(1)?.(); // JetStream acknowledges one; the other two never are
  const dropped = await batcher.drain(AbortSignal.timeout(100));
  assert.equal(dropped, 2);
  assert.deepEqual(await Promise.all(published), [
    'acked',
    'not published: the publisher stopped at the shutdown deadline',
    'not published: the publisher stopped at the shutdown deadline',
  ]);
  await assert.rejects(batcher.add(4), /stopped/);
});
