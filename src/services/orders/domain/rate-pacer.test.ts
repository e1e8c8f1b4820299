import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RatePacer } from './rate-pacer.js';

test('rate pacer: callers pass at the rate however many wait, with no burst after idling', async () => {
  const pacer = new RatePacer(50);
  await new Promise((r) => setTimeout(r, 300)); // idle: nothing may be banked
  const start = performance.now();
  const passed: number[] = [];
  await Promise.all(
    Array.from({ length: 26 }, () => pacer.take().then(() => passed.push(performance.now()))),
  );
  const elapsed = performance.now() - start;
  // 26 at 50/s: the first at once, the last 25 × 20 ms later; a noisy machine may add, never subtract.
  assert.ok(elapsed >= 480 && elapsed < 1500, `26 takes at 50/s took ${elapsed.toFixed(0)} ms`);
  const inFirst200 = passed.filter((t) => t - start < 200).length;
  assert.ok(inFirst200 <= 11, `at most 11 pass in the first 200 ms (${inFirst200})`);
});

test('rate pacer: rate 0 is unlimited', async () => {
  const pacer = new RatePacer(0);
  const start = performance.now();
  for (let i = 0; i < 10_000; i++) await pacer.take();
  assert.ok(performance.now() - start < 1000);
});
