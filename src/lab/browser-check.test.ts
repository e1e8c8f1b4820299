import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeExperiment } from './analysis.js';
import { assertChartsShowTheFindings, expectedCharts } from './browser-check.testing.js';
import { ARRIVALS, SETTINGS, simulate } from './fixtures.testing.js';
import type { LabResult, ModeSecond } from './types.js';

function result(queueRow?: (r: ModeSecond) => ModeSecond): LabResult {
  const out = analyzeExperiment(
    SETTINGS,
    { database: 'pglite', queue: 'in-process' },
    { shed: simulate('shed', ARRIVALS, 50, 50).rec, queue: simulate('queue', ARRIVALS, 50, 50).rec },
    'now',
  );
  if (queueRow) out.modes.queue.timeline = out.modes.queue.timeline.map(queueRow);
  return out;
}

test('the chart check passes when the page drew the findings', () => {
  const r = result();
  assert.doesNotThrow(() => assertChartsShowTheFindings(expectedCharts(r), r));
});

test('the chart check fails when the page drew other data than results.json', () => {
  const r = result();
  const drawn = expectedCharts(r).map((c) =>
    c.id === 'work-queue' ? { ...c, series: c.series.map((s) => ({ ...s, sum: s.sum + 1 })) } : c,
  );
  assert.throws(() => assertChartsShowTheFindings(drawn, r), /work-queue \/ done: sum/);
  const broken = expectedCharts(r).map((c) => (c.id === 'e2e-shed' ? { ...c, error: 'TypeError' } : c));
  assert.throws(() => assertChartsShowTheFindings(broken, r), /e2e-shed failed to draw/);
});

test('the chart check fails on data that only looks like data: refusals in queue mode, a flat queue', () => {
  const refusing = result((row) =>
    row.target === null ? row : { ...row, status: { ...row.status, '500': 1 } },
  );
  assert.throws(
    () => assertChartsShowTheFindings(expectedCharts(refusing), refusing),
    /queue mode drew \d+ × 500/,
  );
  const flat = result((row) => ({ ...row, backlog: 0 }));
  assert.throws(() => assertChartsShowTheFindings(expectedCharts(flat), flat), /backlog chart never rose/);
  const lower = result((row) => ({
    ...row,
    backlog: row.backlog === null ? null : Math.min(row.backlog, 100),
  }));
  assert.throws(
    () => assertChartsShowTheFindings(expectedCharts(lower), lower),
    /the backlog drawn peaks where the summary says/,
  );
  const noE2e = result((row) => ({ ...row, e2eP99Ms: null }));
  assert.throws(() => assertChartsShowTheFindings(expectedCharts(noE2e), noE2e), /no end-to-end latency/);
  const noTarget = result((row) => ({ ...row, target: row.target === null ? null : 0 }));
  assert.throws(
    () => assertChartsShowTheFindings(expectedCharts(noTarget), noTarget),
    /queue: the target never crossed the limit/,
  );
});
