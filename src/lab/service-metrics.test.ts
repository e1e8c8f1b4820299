import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PromSample } from '../scrape/mod.js';
import { bucketBound, metricNames, serverLatencyByStatus, serviceMetrics } from './service-metrics.js';

const S = (name: string, value: number, labels: Record<string, string> = {}): PromSample => ({
  name,
  labels,
  value,
});

// 100 accepted orders: 90 under 100 ms, 10 in (100 ms, 250 ms]: PromQL would interpolate p99 to 235 ms.
const route = { route: '/orders', method: 'POST', status: '200' };
const scrape: PromSample[] = [
  S('http_request_duration_seconds_bucket', 90, { ...route, le: '0.1' }),
  S('http_request_duration_seconds_bucket', 100, { ...route, le: '0.25' }),
  S('http_request_duration_seconds_bucket', 100, { ...route, le: '+Inf' }),
  S('http_request_duration_seconds_sum', 9, route),
  S('http_request_duration_seconds_count', 100, route),
  S('orders_queue_oldest_age_seconds', 1.5),
  S('jetstream_stream_bytes', 1000, { stream: 'ORDERS' }),
  S('jetstream_stream_bytes', 24, { stream: 'ORDERS_DLQ' }),
  S('work_done_total', 90, { status: 'done' }),
];

test('the server quantile keeps its bucket bound beside the interpolation', () => {
  const l = serverLatencyByStatus(scrape)['200'];
  assert.equal(l?.p99LeMs, 250);
  assert.equal(l?.p50LeMs, 100);
  assert.ok((l?.p99Ms ?? 0) > 200 && (l?.p99Ms ?? 0) < 250, 'the interpolation lies inside the bucket');
  assert.equal(bucketBound(0.99, []), null);
  assert.equal(bucketBound(0.99, [{ le: Number.POSITIVE_INFINITY, count: 3 }]), null);
});

test('metric names fold a histogram’s series; extra gauges are summed over labels when exported', () => {
  assert.deepEqual(metricNames(scrape), [
    'http_request_duration_seconds',
    'jetstream_stream_bytes',
    'orders_queue_oldest_age_seconds',
    'work_done_total',
  ]);
  assert.deepEqual(serviceMetrics(scrape).extra, {
    orders_queue_oldest_age_seconds: 1.5,
    jetstream_stream_bytes: 1024,
  });
});
