import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cycleExtremes, peaksGrew } from './cycles.js';
import { modelBacklogSeries } from './sine.js';

const at = (atMs: number, depth: number | null) => ({ atMs, depth });

test('each cycle’s peak, and the low between it and the next peak (the last: to the end)', () => {
  const points = [
    at(1000, 5),
    at(2000, 40),
    at(3000, 12),
    at(4000, 3),
    at(5000, 30),
    at(6000, 44),
    at(7000, 9),
    at(8000, 0),
  ];
  assert.deepEqual(cycleExtremes(points, 4000, 2), { peaks: [40, 44], lows: [3, 0], peakAtMs: [2000, 6000] });
  assert.deepEqual(cycleExtremes([at(1000, null), at(5000, 7)], 4000, 2), {
    peaks: [null, 7],
    lows: [null, null],
    peakAtMs: [null, 5000],
  });
});

test('peaks grow only by more than a tenth of the highest: reading jitter is not growth', () => {
  assert.equal(peaksGrew([100, 109]), false);
  assert.equal(peaksGrew([100, 120]), true);
  assert.equal(peaksGrew([100, null]), false, 'one known peak: nothing to compare');
});

test('the fluid model: at the midline capacity every peak is amp·P/π and the queue just empties at night', () => {
  const shape = { minRps: 0, maxRps: 100, periodMs: 6_000, cycles: 2 };
  const { peaks, lows } = cycleExtremes(modelBacklogSeries(shape, 50), shape.periodMs, shape.cycles);
  const peak = (50 * 6) / Math.PI;
  for (const p of peaks) assert.ok(Math.abs((p ?? 0) - peak) < 1, `${p} vs ${peak}`);
  for (const l of lows) assert.ok((l ?? 1) < 0.5, `low ${l}`);
  const slow = cycleExtremes(modelBacklogSeries(shape, 40), shape.periodMs, shape.cycles);
  assert.ok(peaksGrew(slow.peaks), `a mean above the capacity grows: ${slow.peaks}`);
  assert.ok(Math.abs((slow.peaks[1] ?? 0) - (slow.peaks[0] ?? 0) - 60) < 2, '(50 − 40) × 6 s a cycle');
});
