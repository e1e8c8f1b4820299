import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { runCli } from './testing/cli.js';
import { fakeResult } from './testing/result.js';
import { startServer } from './testing/server.js';
import { evaluateThresholds, parseThreshold } from './thresholds.js';
import type { ThresholdOutcome } from './types.js';

/**
 * A threshold evaluated on no samples fails, as "no data", for the whole run and for every window;
 * windows cover the whole timeline, the drain after the schedule included.
 */

test('a run that ends before any response: every threshold fails as "no data"', async () => {
  const server = await startServer(() => {});
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await runLoad(
      {
        target: `${server.url}/`,
        rate: 'constant:20',
        durationMs: 5000,
        thresholds: ['p99<200ms', 'errors<1%', 'status_5xx==0', 'p99[1s]<200ms', 'max<1s'],
      },
      { signal: ac.signal },
    );
    assert.equal(r.summary.completed, 0);
    for (const t of r.thresholds ?? []) {
      assert.equal(t.passed, false, `${t.expression}: ${t.detail}`);
      assert.equal(t.noData, true, t.expression);
      assert.match(t.detail, /no data/, t.expression);
    }
    assert.equal(r.thresholds?.length, 5);
  } finally {
    await server.close();
  }
});

test('the CLI says "no data" and exits 99 for a threshold with nothing to judge', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 1500));
  try {
    // The one request is answered after the run's 200 ms schedule, within its drain: p99 has data,
    // but no request completed in the schedule's first second, so that window has none.
    const r = await runCli([
      'load',
      `${server.url}/`,
      '--rate',
      'constant:5',
      '--duration',
      '200ms',
      '--threshold',
      'p99<2s',
      '--threshold',
      'p99[1s]<2s',
    ]);
    assert.equal(r.code, 99, r.err + r.out);
    assert.match(r.out, /PASS {2}p99<2s/);
    assert.match(r.out, /FAIL {2}p99\[1s\]<2s\tno data in the 1s window from second 0/);
  } finally {
    await server.close();
  }
});

test('windows with no samples fail; a window is judged on the whole timeline, drain included', () => {
  const fast = Array.from({ length: 50 }, () => 10);
  // Second 1: nothing completed (a stall). Seconds 0-2 are the schedule, 3 is the drain.
  const r = fakeResult([
    { latenciesMs: fast },
    { latenciesMs: [] },
    { latenciesMs: fast },
    { latenciesMs: [900, 950] },
  ]);
  r.summary.durationMs = 3000;
  r.timeline.forEach((s, i) => {
    s.phase = i < 3 ? 'schedule' : 'drain';
  });
  const [p99, errors, slowDrain, wide] = evaluateThresholds(
    r,
    ['p99[1s]<500ms', 'errors[1s]<1%', 'p99[1s]<800ms', 'p99[2s]<1s'].map(parseThreshold),
  ) as ThresholdOutcome[] as [ThresholdOutcome, ThresholdOutcome, ThresholdOutcome, ThresholdOutcome];
  assert.equal(p99.passed, false);
  assert.equal(p99.failedAtSecond, 1, p99.detail);
  assert.equal(p99.noData, true);
  assert.match(p99.detail, /no data in the 1s window from second 1/);
  assert.equal(errors.passed, false);
  assert.equal(errors.noData, true);
  // The drain second's two slow responses fail it, and the report says it was the drain.
  assert.equal(slowDrain.passed, false);
  assert.ok(Math.abs(slowDrain.actual - 950) < 10, slowDrain.detail);
  assert.match(slowDrain.detail, /from second 3, in the drain/);
  // Two-second windows: [0,1], [1,2], [2,3]; each has data.
  assert.equal(wide.passed, true, wide.detail);
});

test('whole-run thresholds with no samples fail too: latency, errors, a status share, the rate', () => {
  const r = fakeResult([{ latenciesMs: [] }, { latenciesMs: [] }]);
  const outcomes = evaluateThresholds(
    r,
    ['p50<1s', 'mean<1s', 'errors<50%', 'status_2xx>=0%', 'failed==0'].map(parseThreshold),
  );
  for (const t of outcomes) {
    assert.equal(t.passed, false, `${t.expression}: ${t.detail}`);
    assert.equal(t.noData, true, t.expression);
  }
});
