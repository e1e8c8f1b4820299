import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { escapeMeasurement, escapeTag, formatFloat, toLineProtocol } from './line-protocol.js';

test('escaping follows the line-protocol spec', () => {
  assert.equal(escapeMeasurement('a b,c=d'), 'a\\ b\\,c=d');
  assert.equal(escapeTag('a b,c=d'), 'a\\ b\\,c\\=d');
  assert.equal(escapeTag('x\\y'), 'x\\y', 'a lone backslash stays literal');
  assert.equal(escapeTag('end\\'), 'end\\\\', 'a trailing backslash would escape the delimiter');
  assert.equal(escapeTag('\\,'), '\\\\\\,', 'a backslash before a special character is escaped');
  assert.equal(escapeTag('two\\\\x'), 'two\\\\\\x');
  assert.equal(escapeTag('line\nbreak\r'), 'line\\ break\\ ', 'newlines become (escaped) spaces');
});

test('floats: always with a decimal point, NaN and Inf refused', () => {
  assert.equal(formatFloat(3), '3.0');
  assert.equal(formatFloat(-0.25), '-0.25');
  assert.equal(formatFloat(1e21), '1e+21');
  assert.equal(formatFloat(1e-7), '1e-7');
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.equal(formatFloat(bad), undefined);
  }
});

test('a registry becomes one point per sample: labels as sorted tags, histograms as _bucket/_sum/_count', async () => {
  const registry = new Registry();
  const c = new Counter({ name: 'req_total', help: 'h', labelNames: ['z', 'a'], registers: [registry] });
  c.inc({ z: 'last', a: 'first' }, 2);
  c.inc({ z: '', a: 'x' });
  const h = new Histogram({ name: 'lat_seconds', help: 'h', buckets: [0.5], registers: [registry] });
  h.observe(0.25);
  h.observe(2);
  const batch = toLineProtocol(await registry.getMetricsAsJSON(), 1700000000123.9, {
    service: 'orders',
    a: 'shadowed',
  });
  assert.equal(batch.skipped, 0);
  assert.deepEqual(batch.text.split('\n'), [
    'req_total,a=first,service=orders,z=last value=2.0 1700000000123',
    'req_total,a=x,service=orders value=1.0 1700000000123',
    'lat_seconds_bucket,a=shadowed,le=0.5,service=orders value=1.0 1700000000123',
    'lat_seconds_bucket,a=shadowed,le=+Inf,service=orders value=2.0 1700000000123',
    'lat_seconds_sum,a=shadowed,service=orders value=2.25 1700000000123',
    'lat_seconds_count,a=shadowed,service=orders value=2.0 1700000000123',
    '',
  ]);
  assert.equal(batch.points, 6);
  // A sample's own label wins over an extra tag; an empty label value is no tag at all.
  const empty = toLineProtocol([{ name: 'm', values: [{ value: 1, labels: { service: '' } }] }], 0, {
    service: 'orders',
  });
  assert.equal(empty.text, 'm value=1.0 0\n');
});
