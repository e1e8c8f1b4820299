import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { labOptions, readLabSettings } from './config.js';

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
  assert.equal(quick.periodMs, 6_000);
  assert.equal(quick.drainTimeoutMs, 15_000);
  assert.equal(quick.quick, true);
  const mine = readLabSettings({ quick: true, period: '12s', out: 'runs/a' }, where);
  assert.equal(mine.periodMs, 12_000);
  assert.equal(mine.outDir, '/home/me/peaklab/runs/a');
});

test('env vars are the LAB_ names; bare MAX, PERIOD or OUT from a CI environment are ignored', () => {
  const s = readLabSettings(
    { max: '80' },
    {
      ...where,
      env: {
        LAB_MAX: '90',
        LAB_RPS_LIMIT: '40',
        LAB_QUICK: '1',
        PERIOD: 'nonsense',
        OUT: '/elsewhere',
        MIN: '99',
        DATABASE_URL: 'postgres://127.0.0.1/x',
        NATS_URL: '',
      },
    },
  );
  assert.equal(s.maxRps, 80, 'the flag wins over LAB_MAX');
  assert.equal(s.rpsLimit, 40);
  assert.equal(s.quick, true);
  assert.equal(s.periodMs, 6_000, 'PERIOD is not ours');
  assert.equal(s.minRps, 0, 'MIN is not ours');
  assert.equal(s.outDir, '/home/me/peaklab/lab-out/smooth-corners-20260123-184501');
  assert.equal(s.databaseUrl, 'postgres://127.0.0.1/x');
  assert.equal(s.natsUrl, undefined, 'an empty NATS_URL means unset');
});

test('bad values are reported together, as one PL_CONFIG_INVALID, naming the flag or LAB_ var', () => {
  assert.throws(
    () =>
      readLabSettings(
        { period: 'soon', cycles: '0', rpsLimit: '-5' },
        { ...where, env: { LAB_QUICK: 'maybe' } },
      ),
    (err: unknown) =>
      isPeaklabError(err, 'PL_CONFIG_INVALID') &&
      err.message.includes('--period') &&
      err.message.includes('--cycles') &&
      err.message.includes('--rps-limit') &&
      err.message.includes('LAB_QUICK: "maybe" is not true or false'),
  );
  assert.throws(
    () => readLabSettings({ min: '60', max: '50' }, where),
    (err: unknown) =>
      isPeaklabError(err, 'PL_CONFIG_INVALID') && /--min \(60\) must be below --max/.test(err.message),
  );
});

test('--help shows durations as typed, --quick’s own defaults, and the LAB_ env var', () => {
  const help = new Map(labOptions().map((o) => [o.flags, o.description]));
  assert.match(help.get('--period <duration>') ?? '', /\(default 60s; --quick: 6s\); env LAB_PERIOD$/);
  assert.match(
    help.get('--drain-timeout <duration>') ?? '',
    /\(default 60s; --quick: 15s\); env LAB_DRAIN_TIMEOUT$/,
  );
  assert.match(help.get('--cycles <n>') ?? '', /\(default 2\); env LAB_CYCLES$/);
  assert.match(help.get('--quick') ?? '', /period 6s, drain timeout 15s; env LAB_QUICK$/);
  assert.match(help.get('--out <dir>') ?? '', /env LAB_OUT$/);
  for (const [, description] of help) assert.doesNotMatch(description, /60000|\benv [A-Z]+(?!_)\b/);
});
