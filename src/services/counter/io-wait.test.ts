import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { IO_WAIT_RESOLUTION_MS, IoWait } from './io-wait.js';
import { sampleWaits } from './testing/waits.js';

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!;

test('a 200 µs wait never ends early, lasts about one timer tick, and does not spin', async (t) => {
  const io = new IoWait(200);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const waits = await sampleWaits(200, () => io.wait());
  const wallUs = (performance.now() - t0) * 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuShare = (cpu.user + cpu.system) / wallUs;
  t.diagnostic(
    `IoWait(200): min ${waits[0]!.toFixed(0)} µs, median ${median(waits).toFixed(0)} µs, ` +
      `p90 ${waits[180]!.toFixed(0)} µs; CPU ${(cpuShare * 100).toFixed(1)}% of wall time`,
  );
  assert.ok(waits[0]! >= 199.9, `a wait ended early, after ${waits[0]} µs`);
  // The documented resolution: at least one tick (setTimeout's 1 ms floor, give or take its clock).
  assert.ok(median(waits) >= IO_WAIT_RESOLUTION_MS * 1000 * 0.9, `median ${median(waits)} µs`);
  // A busy-wait would take ~100% of a core for the whole 200+ ms; a sleeping timer takes a few %.
  assert.ok(cpuShare < 0.3, `the waits used ${(cpuShare * 100).toFixed(0)}% of a core: spinning`);
});

test('concurrent waiters share one timer and resolve in arrival order, each after its own wait', async () => {
  const io = new IoWait(3000);
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
  for (let i = 0; i < 1000; i++) assert.ok(ended[i]! - started[i]! >= 2.9999, `waiter ${i} ended early`);
  assert.equal(io.pending, 0);
});

test('a 5 ms wait is 5 ms or a little more; 0 µs is one event-loop turn; bad lengths are refused', async () => {
  const long = new IoWait(5000);
  const waits = await sampleWaits(10, () => long.wait());
  assert.ok(waits[0]! >= 4999.9, `a 5 ms wait ended after ${waits[0]} µs`);
  const zero = new IoWait(0);
  const seen: string[] = [];
  const p = zero.wait().then(() => seen.push('wait'));
  await Promise.resolve();
  seen.push('microtask');
  await p;
  assert.deepEqual(seen, ['microtask', 'wait'], 'a 0 µs wait yields to the event loop, not a microtask');
  assert.throws(() => new IoWait(-1), RangeError);
  assert.throws(() => new IoWait(Number.NaN), RangeError);
});
