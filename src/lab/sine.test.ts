import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predictedRejections, sineProfile, sineRate } from './sine.js';

const seed = { minRps: 0, maxRps: 100, periodMs: 60_000, cycles: 2 };

test('the sine starts at its minimum, peaks at half a period, and has the profile spec peaklab load reads', () => {
  assert.ok(Math.abs(sineRate(seed, 0)) < 1e-9);
  assert.ok(Math.abs(sineRate(seed, 30_000) - 100) < 1e-9);
  assert.ok(Math.abs(sineRate(seed, 15_000) - 50) < 1e-9);
  assert.equal(sineProfile(seed), 'sine:0..100@60000ms');
});

test('the rejection integral matches the closed form amp·P/π per cycle when the limit is the midline', () => {
  // ∫ over the upper half-period of amp·|sin| = amp·P/π.
  const expected = ((50 * 60) / Math.PI) * 2;
  const got = predictedRejections(seed, 50);
  assert.ok(Math.abs(got - expected) < 0.01, `${got} vs ${expected}`);
  const quick = { minRps: 0, maxRps: 100, periodMs: 8000, cycles: 2 };
  assert.ok(Math.abs(predictedRejections(quick, 50) - (50 * 8 * 2) / Math.PI) < 0.01);
});

test('the integral is zero above the peak and everything above the limit below the trough', () => {
  assert.equal(predictedRejections(seed, 100), 0);
  assert.equal(predictedRejections(seed, 150), 0);
  const floor = { minRps: 20, maxRps: 80, periodMs: 10_000, cycles: 3 };
  // Limit under the minimum: every request above the limit, i.e. (mid − limit)·T.
  assert.ok(Math.abs(predictedRejections(floor, 10) - (50 - 10) * 30) < 0.01);
  // A lower limit always predicts more rejections.
  assert.ok(predictedRejections(seed, 40) > predictedRejections(seed, 60));
});
