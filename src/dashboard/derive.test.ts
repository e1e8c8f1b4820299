import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePromText } from '../scrape/mod.js';
import {
  cleanLabel,
  counterIncrease,
  type DerivedPoint,
  deriveSecond,
  indexScrape,
  quantilesBetween,
} from './derive.js';

const near = (a: number | undefined, b: number, what: string) =>
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

function scrape(atMs: number, lines: string[]) {
  return indexScrape(atMs, parsePromText(lines.join('\n')));
}

function value(points: DerivedPoint[], panel: string, label: string): number | undefined {
  return points.find((p) => p.panel === panel && p.label === label)?.value;
}

function requests(ok: number, failed: number, cpu: number): string[] {
  return [
    `http_requests_total{method="POST",route="/orders",status="200"} ${ok}`,
    `http_requests_total{method="POST",route="/orders",status="500"} ${failed}`,
    `process_cpu_seconds_total ${cpu}`,
  ];
}

test('a counter increase is the delta, or all of it after a reset, never negative', () => {
  assert.equal(counterIncrease(10, 25), 15);
  assert.equal(counterIncrease(25, 25), 0);
  assert.equal(counterIncrease(1000, 7), 7, 'the process restarted: its 7 are new');
  assert.equal(counterIncrease(undefined, 4), 4, 'a series born since the last scrape began at 0');
  assert.equal(counterIncrease(3, Number.NaN), 0);
  assert.equal(counterIncrease(3, -1), 0);
});

test('rates are counter deltas over the time between scrapes, per route and per status', () => {
  const a = scrape(10_000, requests(100, 10, 5));
  const b = scrape(12_000, requests(160, 30, 6.5));
  const { points } = deriveSecond(a, b, 2500);
  near(value(points, 'rate', 'POST /orders'), (60 + 20) / 2, 'requests/s');
  near(value(points, 'errors', 'POST /orders'), 20 / 2, '5xx/s');
  near(value(points, 'status', '200'), 30, '200/s');
  near(value(points, 'status', '500'), 10, '500/s');
  near(value(points, 'cpu', 'cores'), 0.75, 'CPU seconds per second');
});

test('a restarted target is a reset per series, not a negative rate; a long gap restarts the baseline', () => {
  const before = scrape(0, requests(5000, 300, 90));
  const after = scrape(1000, requests(40, 0, 0.5));
  const { points } = deriveSecond(before, after, 2500);
  near(value(points, 'rate', 'POST /orders'), 40, 'after a reset, all of the new count');
  near(value(points, 'cpu', 'cores'), 0.5, 'cpu after a reset');
  assert.ok(
    points.every((p) => p.value >= 0),
    'no negative value',
  );
  // One series reset while the other did not: summing before subtracting would hide the reset.
  const mixed = scrape(1000, requests(5060, 2, 91));
  near(value(deriveSecond(before, mixed, 2500).points, 'rate', 'POST /orders'), 62, 'reset of one series');

  const late = deriveSecond(before, scrape(9000, requests(5100, 300, 95)), 2500);
  assert.equal(value(late.points, 'rate', 'POST /orders'), undefined, 'no rate across an 9 s gap');
  assert.equal(deriveSecond(undefined, before, 2500).points.length, 0, 'a first scrape is a baseline');
});

function histogram(family: string, labels: string, counts: Record<string, number>): string[] {
  return Object.entries(counts).map(([le, n]) => `${family}_bucket{${labels}le="${le}"} ${n}`);
}

test('quantiles come from bucket increases between scrapes, not from the totals since start', () => {
  // Before: 1000 fast requests. Between the scrapes: 100 more, 90 at ≤ 0.1 s and 10 in (0.5, 1].
  const fam = 'http_request_duration_seconds';
  const lbl = 'method="POST",route="/orders",status="200",';
  const a = scrape(
    0,
    histogram(fam, lbl, { '0.01': 1000, '0.1': 1000, '0.5': 1000, '1': 1000, '+Inf': 1000 }),
  );
  const b = scrape(
    1000,
    histogram(fam, lbl, { '0.01': 1000, '0.1': 1090, '0.5': 1090, '1': 1100, '+Inf': 1100 }),
  );
  const q = quantilesBetween(a.index, b.samples, fam, () => 'all').get('all');
  assert.ok(q);
  // p50: rank 50 of 100 in the (0.01, 0.1] bucket holding 90: 0.01 + 0.09 × 50/90.
  near(q.p50, 0.01 + (0.09 * 50) / 90, 'p50');
  // p99: rank 99, in the (0.5, 1] bucket holding ranks 91..100: 0.5 + 0.5 × 9/10.
  near(q.p99, 0.95, 'p99');
  const { points } = deriveSecond(a, b, 2500);
  near(value(points, 'latency', 'POST /orders p99'), 950, 'ms on the page');

  const idle = quantilesBetween(b.index, b.samples, fam, () => 'all');
  assert.equal(idle.size, 0, 'no observations between scrapes: no quantile (a gap, not 0)');
});

test('a histogram reset counts the new buckets whole; buckets are summed across statuses', () => {
  const fam = 'orders_end_to_end_seconds';
  const a = scrape(0, histogram(fam, '', { '1': 500, '10': 900, '+Inf': 1000 }));
  const b = scrape(1000, histogram(fam, '', { '1': 10, '10': 10, '+Inf': 10 }));
  near(quantilesBetween(a.index, b.samples, fam, () => 'x').get('x')?.p99, 0.99, 'after a reset');

  const two = [
    ...histogram('h', 'status="200",', { '1': 0, '2': 50, '+Inf': 50 }),
    ...histogram('h', 'status="500",', { '1': 50, '2': 50, '+Inf': 50 }),
  ];
  const c = scrape(1000, two);
  const q = quantilesBetween(new Map(), c.samples, 'h', () => 'all').get('all');
  near(q?.p50, 1, 'median of 50 at ≤1 s and 50 in (1, 2]');
});

test('gauges are read as they are; the panels a target exposes are named, with or without data', () => {
  const s = scrape(0, [
    'orders_queue_depth 17',
    'nodejs_eventloop_lag_seconds 0.012',
    'nodejs_heap_size_used_bytes 10485760',
    'http_request_duration_seconds_bucket{le="+Inf"} 0',
  ]);
  const d = deriveSecond(undefined, s, 2500);
  near(value(d.points, 'queue', 'depth'), 17, 'queue depth');
  near(value(d.points, 'lag', 'lag'), 12, 'lag in ms');
  near(value(d.points, 'heap', 'used'), 10, 'heap in MiB');
  assert.deepEqual([...d.exposed].sort(), ['heap', 'lag', 'latency', 'queue']);
});

test('hostile label values stay data: bounded, no control characters, "__proto__" is just a route', () => {
  assert.equal(cleanLabel('a\nb\u0000c'), 'a b c');
  assert.equal(cleanLabel('x'.repeat(500)).length, 100);
  const a = scrape(0, [
    'http_requests_total{route="__proto__",status="200"} 1',
    'http_requests_total{route="<script>",status="200"} 1',
  ]);
  const b = scrape(1000, [
    'http_requests_total{route="__proto__",status="200"} 3',
    'http_requests_total{route="<script>",status="200"} 2',
  ]);
  const { points } = deriveSecond(a, b, 2500);
  near(value(points, 'rate', '__proto__'), 2, '__proto__ route');
  near(value(points, 'rate', '<script>'), 1, 'markup is a label like any other: the page escapes it');
});
