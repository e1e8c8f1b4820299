import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { readLabSettings } from './config.js';

const where = { env: {}, cwd: '/home/me/peaklab', now: new Date('2026-01-23T18:45:01Z') };

test('defaults are the seed: a sine 0..100 over 60 s, twice, limit and capacity 50', () => {
  const s = readLabSettings({}, where);
  assert.equal(s.periodMs, 60_000);
  assert.equal(s.cycles, 2);
  assert.equal(s.minRps, 0);
  assert.equal(s.maxRps, 100);
  assert.equal(s.rpsLimit, 50);
  assert.equal(s.processRps, 50);
  assert.equal(s.quick, false);
  assert.equal(s.outDir, '/home/me/peaklab/lab-out/smooth-corners-20260123-184501');
  assert.equal(s.databaseUrl, undefined);
  assert.equal(s.natsUrl, undefined);
});

test('--quick shortens the sine, but never overrides a value the user gave', () => {
  const quick = readLabSettings({ quick: true }, where);
  assert.equal(quick.periodMs, 8_000);
  assert.equal(quick.quick, true);
  assert.ok(quick.drainTimeoutMs < readLabSettings({}, where).drainTimeoutMs);
  const mine = readLabSettings({ quick: true, period: '12s', out: 'runs/a' }, where);
  assert.equal(mine.periodMs, 12_000);
  assert.equal(mine.outDir, '/home/me/peaklab/runs/a');
});

test('env vars configure it as flags do, and name the backends', () => {
  const s = readLabSettings(
    { max: '80' },
    {
      ...where,
      env: { MAX: '90', RPS_LIMIT: '40', QUICK: '1', DATABASE_URL: 'postgres://127.0.0.1/x', NATS_URL: '' },
    },
  );
  assert.equal(s.maxRps, 80, 'the flag wins over MAX');
  assert.equal(s.rpsLimit, 40);
  assert.equal(s.quick, true);
  assert.equal(s.databaseUrl, 'postgres://127.0.0.1/x');
  assert.equal(s.natsUrl, undefined, 'an empty NATS_URL means unset');
});

test('bad values are reported together, as one PL_CONFIG_INVALID', () => {
  assert.throws(
    () => readLabSettings({ period: 'soon', cycles: '0', rpsLimit: '-5' }, where),
    (err: unknown) =>
      isPeaklabError(err, 'PL_CONFIG_INVALID') &&
      err.message.includes('--period') &&
      err.message.includes('--cycles') &&
      err.message.includes('--rps-limit'),
  );
  assert.throws(
    () => readLabSettings({ min: '60', max: '50' }, where),
    (err: unknown) =>
      isPeaklabError(err, 'PL_CONFIG_INVALID') && /--min \(60\) must be below --max/.test(err.message),
  );
});
