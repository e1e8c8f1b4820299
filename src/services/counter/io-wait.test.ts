import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { IoWait } from './io-wait.js';
import { sampleWaits } from './testing/waits.js';

const measure = sampleWaits;

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!;

test('a 200 µs wait lasts at least 200 µs, and far less than setTimeout could do', async (t) => {
  const io = new IoWait(200);
  const waits = await measure(300, () => io.wait());
  // The best setTimeout can do for a sub-millisecond wait: setTimeout(1) (0.2 rounds to 1 ms).
  const timers = await measure(100, () => new Promise<void>((r) => setTimeout(r, 0.2)));
  t.diagnostic(
    `IoWait(200): min ${waits[0]!.toFixed(0)} µs, median ${median(waits).toFixed(0)} µs, p90 ${waits[270]!.toFixed(0)} µs; ` +
      `setTimeout(0.2): median ${median(timers).toFixed(0)} µs`,
  );
  assert.ok(waits[0]! >= 199.9, `a wait ended early, after ${waits[0]} µs`);
  // On an idle machine the median is ~205 µs; a loaded one adds event-loop turns to both sides.
  assert.ok(median(waits) < median(timers), 'IoWait must beat the 1 ms timer floor');
  assert.ok(median(timers) >= 1000, 'the premise: setTimeout cannot wait under 1 ms');
});

test('concurrent waiters share one pump and resolve in arrival order, each after its own wait', async () => {
  const io = new IoWait(300);
  const order: number[] = [];
  const started: number[] = [];
  const ended: number[] = [];
  const all = Array.from({ length: 1000 }, (_, i) => {
    started.push(performance.now());
    return io.wait().then(() => {
      ended[i] = performance.now();
      order.push(i);
    });
  });
  assert.equal(io.pending, 1000);
  await Promise.all(all);
  assert.deepEqual(
    order,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  for (let i = 0; i < 1000; i++) assert.ok(ended[i]! - started[i]! >= 0.2999, `waiter ${i} ended early`);
  assert.equal(io.pending, 0);
});

test('a long wait sleeps on a timer, then spins the rest; 0 µs resolves on a microtask', async () => {
  const long = new IoWait(5000);
  const waits = await measure(10, () => long.wait());
  assert.ok(waits[0]! >= 4999.9, `a 5 ms wait ended after ${waits[0]} µs`);
  const zero = new IoWait(0);
  let done = false;
  const p = zero.wait().then(() => {
    done = true;
  });
  await Promise.resolve();
  await p;
  assert.equal(done, true);
  assert.throws(() => new IoWait(-1), RangeError);
  assert.throws(() => new IoWait(Number.NaN), RangeError);
});
