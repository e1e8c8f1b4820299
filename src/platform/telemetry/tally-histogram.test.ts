import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { TallyHistogram } from './tally-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = ['method', 'route', 'status'] as const;

/** The same observations into prom-client's Histogram and a TallyHistogram: the same exposition. */
async function both(contentType?: typeof Registry.OPENMETRICS_CONTENT_TYPE) {
  const ours = new Registry();
  const theirs = new Registry();
  if (contentType) {
    ours.setContentType(contentType as never);
    theirs.setContentType(contentType as never);
  }
  const opts = { name: 'req_seconds', help: 'request time', buckets: BUCKETS, labelNames: LABELS };
  const tally = new TallyHistogram({ ...opts, registers: [ours] });
  const prom = new Histogram({ ...opts, registers: [theirs] });
  const sets = [
    { method: 'POST', route: '/orders', status: '200' },
    { method: 'GET', route: 'unmatched', status: '404' },
  ];
  const series = sets.map((l) => tally.series(l));
  // Edges, in-between values, beyond the last bucket, zero.
  const values = [0, 0.0005, 0.0007, 0.001, 0.003, 0.02, 0.5, 9.99, 10, 11, 123.4, 1e-9];
  for (let i = 0; i < 200; i++) {
    const v = values[i % values.length] as number;
    const k = i % 3 === 0 ? 0 : 1;
    series[k]?.observe(v);
    prom.labels(sets[k] as (typeof sets)[number]).observe(v);
  }
  return { ours, theirs, tally };
}

test('a tally histogram renders exactly what prom-client renders for the same observations', async () => {
  const { ours, theirs } = await both();
  assert.equal(await ours.metrics(), await theirs.metrics());
  // JSON: the same labels, names and values (prom-client adds `exemplar: null`, unused here).
  const plain = async (r: Registry) =>
    (await r.getMetricsAsJSON()).map((m) => ({
      ...m,
      values: m.values.map((v) => ({
        labels: v.labels,
        value: v.value,
        metricName: (v as { metricName?: string }).metricName,
      })),
    }));
  assert.deepEqual(await plain(ours), await plain(theirs));
});

test('in OpenMetrics too', async () => {
  const { ours, theirs } = await both(Registry.OPENMETRICS_CONTENT_TYPE);
  assert.equal(await ours.metrics(), await theirs.metrics());
});

test('an unlabelled tally histogram; bad values throw as prom-client does; reset zeroes', async () => {
  const registry = new Registry();
  const h = new TallyHistogram({ name: 'u_seconds', help: 'h', buckets: [1, 0.1], registers: [registry] });
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  const text = await registry.metrics();
  assert.match(text, /^u_seconds_bucket\{le="0.1"\} 1$/m);
  assert.match(text, /^u_seconds_bucket\{le="1"\} 2$/m);
  assert.match(text, /^u_seconds_bucket\{le="\+Inf"\} 3$/m);
  assert.match(text, /^u_seconds_sum 5.55$/m);
  assert.match(text, /^u_seconds_count 3$/m);
  assert.throws(() => h.observe(Number.NaN), TypeError);
  assert.throws(
    () => new TallyHistogram({ name: 'u_seconds', help: 'h', buckets: [1], registers: [registry] }),
  );
  registry.resetMetrics();
  h.observe(0.5);
  assert.match(await registry.metrics(), /^u_seconds_count 1$/m);
});
