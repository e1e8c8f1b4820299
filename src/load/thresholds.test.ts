import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { fakeResult } from './testing/result.js';
import { evaluateThresholds, parseThreshold } from './thresholds.js';
import type { ThresholdOutcome } from './types.js';

test('threshold expressions parse into metric, window, operator and value in base units', () => {
  const p = (e: string) => {
    const t = parseThreshold(e);
    return [t.metric, t.kind, t.windowS, t.op, t.value];
  };
  assert.deepEqual(p('p99<200ms'), ['p99', 'latency', undefined, '<', 200]);
  assert.deepEqual(p('p99.9 <= 1.5s'), ['p99.9', 'latency', undefined, '<=', 1500]);
  assert.deepEqual(p('p99[10s]<300ms'), ['p99', 'latency', 10, '<', 300]);
  assert.deepEqual(p('errors<1%'), ['errors', 'fraction', undefined, '<', 0.01]);
  assert.deepEqual(p('rate>=95/s'), ['rate', 'rate', undefined, '>=', 95]);
  assert.deepEqual(p('status_5xx==0'), ['status_5xx', 'count', undefined, '==', 0]);
  assert.deepEqual(p('dropped==0'), ['dropped', 'count', undefined, '==', 0]);
});

test('malformed thresholds are PL_THRESHOLD_INVALID', () => {
  for (const e of [
    'p99',
    'p99<<3ms',
    'p99<3%',
    'errors<3ms',
    'speed<3',
    'p99[0s]<1ms',
    'p101<1ms',
    'rate>5ms',
  ]) {
    assert.throws(
      () => parseThreshold(e),
      (err: unknown) => isPeaklabError(err, 'PL_THRESHOLD_INVALID'),
      e,
    );
  }
});

test('a windowed threshold holds in every window; a failing one reports the worst window', () => {
  const fast = Array.from({ length: 100 }, () => 10);
  // Seconds 1 and 3 each have two slow requests: 4 of 500 in the whole run, 2 of 100 in a second.
  const stalled = (ms: number) => ({ latenciesMs: [...fast.slice(2), ms, ms] });
  const r = fakeResult([
    { latenciesMs: fast },
    stalled(300),
    { latenciesMs: fast },
    stalled(500),
    { latenciesMs: fast },
  ]);
  const [whole, win, loose, threeS] = evaluateThresholds(
    r,
    ['p99<100ms', 'p99[1s]<100ms', 'p99[1s]<1s', 'p99[3s]<200ms'].map(parseThreshold),
  ) as [ThresholdOutcome, ThresholdOutcome, ThresholdOutcome, ThresholdOutcome];
  assert.equal(whole.passed, true, whole.detail);
  assert.ok(whole.actual < 11, String(whole.actual));
  assert.equal(win.passed, false);
  // The worst window's value (500 ms in second 3), while failedAtSecond is the first failing one.
  assert.ok(Math.abs(win.actual - 500) < 5, String(win.actual));
  assert.equal(win.failedAtSecond, 1);
  assert.match(
    win.detail,
    /^p99 was 50\dms in the worst 1s window \(from second 3\); first failed from second 1$/,
  );
  assert.equal(loose.passed, true);
  assert.ok(Math.abs(loose.actual - 500) < 5, 'a passing one reports its worst window too');
  // Only the 3 s window over seconds 1..3 holds all 4 slow requests, more than 1% of its 300.
  assert.equal(threeS.passed, false);
  assert.equal(threeS.failedAtSecond, 1);
  assert.ok(Math.abs(threeS.actual - 300) < 3, String(threeS.actual));
  // For > thresholds the worst window is the lowest one.
  const [rate] = evaluateThresholds(
    fakeResult([{ latenciesMs: fast }, { latenciesMs: fast.slice(40) }, { latenciesMs: fast }]),
    [parseThreshold('rate[1s]>=90/s')],
  ) as [ThresholdOutcome];
  assert.equal(rate.passed, false);
  assert.equal(rate.actual, 60);
});
