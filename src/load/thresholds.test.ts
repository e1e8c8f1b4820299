import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { parseThreshold } from './thresholds.js';

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
