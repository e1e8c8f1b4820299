import assert from 'node:assert/strict';
import { test } from 'node:test';
import { histogramQuantile, parsePromLine, parsePromText, sumWhere } from './prom-text.js';

test('sample lines parse with labels, escapes, timestamps and special values', () => {
  assert.deepEqual(parsePromLine('work_done_total{status="done"} 42'), {
    name: 'work_done_total',
    labels: { status: 'done' },
    value: 42,
  });
  assert.deepEqual(parsePromLine('orders_queue_depth 7 1700000000000'), {
    name: 'orders_queue_depth',
    labels: {},
    value: 7,
  });
  const tricky = parsePromLine('x{a="q\\"uo}te,d",b="back\\\\slash",c="new\\nline",} 1.5e3');
  assert.deepEqual(tricky?.labels, { a: 'q"uo}te,d', b: 'back\\slash', c: 'new\nline' });
  assert.equal(tricky?.value, 1500);
  assert.equal(parsePromLine('h_bucket{le="+Inf"} +Inf')?.value, Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(parsePromLine('lag NaN')?.value));
});

test('comments, blanks and malformed lines are skipped, not fatal', () => {
  const text = [
    '# HELP work_done_total Work Done',
    '# TYPE work_done_total counter',
    '',
    'work_done_total{status="done"} 3',
    'broken{status="done" 4',
    'work_done_total{status="error"} notanumber',
    '{}',
    'work_done_total{status="error"} 2',
  ].join('\n');
  const samples = parsePromText(text);
  assert.equal(samples.length, 2);
  assert.equal(sumWhere(samples, 'work_done_total'), 5);
  assert.equal(sumWhere(samples, 'work_done_total', { status: 'error' }), 2);
  assert.equal(sumWhere(samples, 'missing'), 0);
});

test('histogram quantiles interpolate within buckets as PromQL does', () => {
  const buckets = [
    { le: 0.1, count: 50 },
    { le: 0.2, count: 90 },
    { le: 0.5, count: 100 },
    { le: Number.POSITIVE_INFINITY, count: 100 },
  ];
  assert.ok(Math.abs((histogramQuantile(0.5, buckets) ?? -1) - 0.1) < 1e-9);
  assert.ok(Math.abs((histogramQuantile(0.7, buckets) ?? -1) - 0.15) < 1e-9);
  assert.ok(Math.abs((histogramQuantile(0.99, buckets) ?? -1) - 0.47) < 1e-9);
  assert.equal(histogramQuantile(0.5, [{ le: Number.POSITIVE_INFINITY, count: 0 }]), null);
  // Everything above the last finite bound: the bound is the best answer there is.
  assert.equal(
    histogramQuantile(0.99, [
      { le: 1, count: 0 },
      { le: Number.POSITIVE_INFINITY, count: 10 },
    ]),
    1,
  );
});
