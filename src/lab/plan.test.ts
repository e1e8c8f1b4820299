import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLabSettings } from './config.js';
import { expectedBacklogAtEnd, plannedSeconds } from './plan.js';

const where = { env: {}, cwd: '/tmp', now: new Date('2026-01-23T18:45:01Z') };

test('--quick is planned at about 40 s, the default at most 5 minutes', () => {
  const quick = plannedSeconds(readLabSettings({ quick: true }, where));
  assert.ok(quick >= 30 && quick <= 45, `--quick planned ${quick} s`);
  const full = plannedSeconds(readLabSettings({}, where));
  assert.ok(full >= 240 && full <= 300, `default planned ${full} s`);
  const onServices = plannedSeconds(
    readLabSettings({}, { ...where, env: { DATABASE_URL: 'postgres://x/y' } }),
  );
  assert.ok(onServices < full, 'no embedded database to create');
});

test('the expected backlog at the end follows the fluid model: amp·P/(2π) left when the limit is the midline', () => {
  // The sine ends at its minimum; the last peak's backlog (amp·P/π) is half drained by then.
  const shape = { minRps: 0, maxRps: 100, periodMs: 6_000, cycles: 2, processRps: 50 };
  const expected = (50 * 6) / (2 * Math.PI);
  assert.ok(
    Math.abs(expectedBacklogAtEnd(shape) - expected) < 0.5,
    `${expectedBacklogAtEnd(shape)} vs ${expected}`,
  );
  assert.equal(expectedBacklogAtEnd({ ...shape, processRps: 100 }), 0, 'capacity above the peak: no backlog');
});

test('the planned drain is bounded by --drain-timeout', () => {
  const slow = readLabSettings({ quick: true, processRps: '10' }, where);
  const bounded = readLabSettings({ quick: true, processRps: '10', drainTimeout: '2s' }, where);
  assert.ok(plannedSeconds(slow) - plannedSeconds(bounded) > 10, 'a slow backend waits the full timeout');
});
