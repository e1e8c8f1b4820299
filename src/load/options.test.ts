import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { DEFAULTS } from './defaults.js';
import { resolveOptions } from './options.js';

const target = 'http://127.0.0.1:9/';

test('ramp and spike without --duration are shaped over the default duration', () => {
  const ramp = resolveOptions({ target, rate: 'ramp:0..100' });
  assert.equal(ramp.engine.durationMs, DEFAULTS.durationMs);
  const s = DEFAULTS.durationMs / 1000;
  // 0..100 over the run: the integral is the triangle, 50 requests a second on average.
  assert.equal(ramp.engine.profile?.integral(s), 50 * s);
  const spike = resolveOptions({ target, rate: 'spike:10,50@2s' });
  assert.equal(spike.engine.durationMs, DEFAULTS.durationMs);
  // The spike sits in the middle of the run: base rate at the edges, peak at the centre.
  assert.equal(spike.engine.profile?.rateAt(0.5), 10);
  assert.equal(spike.engine.profile?.rateAt(s / 2), 50);
  // Profiles with their own length keep it.
  assert.equal(resolveOptions({ target, rate: 'steps:1,2,3@2s' }).engine.durationMs, 6000);
  // With --requests alone there is no run length to shape a ramp over.
  assert.throws(
    () => resolveOptions({ target, rate: 'ramp:0..100', requests: 10 }),
    (e: unknown) => isPeaklabError(e, 'PL_PROFILE_INVALID') && e.message.includes('--duration'),
  );
});

test('the open model caps open requests by default; --max-inflight splits exactly over threads', () => {
  assert.equal(resolveOptions({ target, rate: 'constant:5' }).engine.maxInflight, DEFAULTS.openMaxInflight);
  assert.equal(resolveOptions({ target, vus: 3 }).engine.maxInflight, 0, 'closed: the users are the cap');
  assert.equal(resolveOptions({ target, rate: 'constant:5', maxInflight: 7 }).engine.maxInflight, 7);
  assert.throws(
    () => resolveOptions({ target, rate: 'constant:5', threads: 4, maxInflight: 3 }),
    (e: unknown) => isPeaklabError(e, 'PL_USAGE'),
  );
});

test('options that would be ignored are refused', () => {
  const usage = (o: Parameters<typeof resolveOptions>[0]) =>
    assert.throws(
      () => resolveOptions(o),
      (e: unknown) => isPeaklabError(e, 'PL_USAGE'),
      JSON.stringify(o),
    );
  usage({ target, rate: 'constant:5', thinkMs: 0 });
  usage({ target, rate: 'constant:5', grpc: { proto: 'a.proto', call: 'p.S/m', data: '{}' } });
  const grpc = { proto: 'a.proto', call: 'p.S/m', data: '{}' };
  usage({ target: 'grpc://127.0.0.1:9', rate: 'constant:5', grpc, body: 'x' });
  usage({ target: 'grpc://127.0.0.1:9', rate: 'constant:5', grpc, method: 'PUT' });
  usage({ target: 'grpc://127.0.0.1:9', rate: 'constant:5', grpc, headers: [['a', 'b']] });
  usage({ target, vus: 2, preciseStarts: true });
  assert.doesNotThrow(() => resolveOptions({ target, vus: 2, thinkMs: 100 }));
  assert.equal(
    resolveOptions({ target, rate: 'constant:5', preciseStarts: true }).engine.preciseStarts,
    true,
  );
});
