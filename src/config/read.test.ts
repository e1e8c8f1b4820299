import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { duration, int, matching, oneOf, optionalStr, optionalUrl } from './fields.js';
import { envName, envWithout, flagName, readConfig } from './read.js';

const spec = {
  port: int('listen port', 8080, { min: 0, max: 65535 }),
  mode: oneOf('intake mode', ['direct', 'shed', 'queue'] as const, 'queue'),
  workMs: duration('work per order', 20),
  natsUrl: optionalStr('NATS server'),
};

test('names: a flag and its env var are the same words', () => {
  assert.equal(flagName('rpsLimit'), 'rps-limit');
  assert.equal(envName('rpsLimit'), 'RPS_LIMIT');
  assert.equal(envName('natsUrl'), 'NATS_URL');
});

test('defaults apply when neither flag nor env is given', () => {
  assert.deepEqual(readConfig(spec, {}, {}), { port: 8080, mode: 'queue', workMs: 20, natsUrl: undefined });
});

test('a flag wins over its env var, which wins over the default', () => {
  const cfg = readConfig(spec, { port: '9000' }, { PORT: '7000', MODE: 'shed', WORK_MS: '1s' });
  assert.equal(cfg.port, 9000);
  assert.equal(cfg.mode, 'shed');
  assert.equal(cfg.workMs, 1000);
});

test('every bad value is reported at once, naming its source', () => {
  assert.throws(
    () => readConfig(spec, { port: '70000' }, { MODE: 'turbo', WORK_MS: '20' }),
    (err: unknown) =>
      isPeaklabError(err, 'PL_CONFIG_INVALID') &&
      err.message.includes('--port: must be at most 65535') &&
      err.message.includes('MODE: "turbo" is not one of') &&
      err.message.includes('WORK_MS: "20" is not a duration'),
  );
});

test('envWithout drops exactly the variables a spec reads, so a child is configured by its flags', () => {
  const env = { PATH: '/usr/bin', MODE: 'direct', NATS_URL: 'nats://x', WORK_MS: '5', HOME: '/root' };
  const out = envWithout(env, spec);
  assert.deepEqual(out, { PATH: '/usr/bin', HOME: '/root' });
  assert.equal(env.MODE, 'direct', 'the caller’s env is not changed');
});

test('url fields: a scheme and a host are required, and a password is never echoed', () => {
  const urls = { databaseUrl: optionalUrl('db', ['postgres', 'postgresql'], 'postgres://h/db') };
  assert.equal(
    readConfig(urls, {}, { DATABASE_URL: 'postgres://u@127.0.0.1:5432/test' }).databaseUrl,
    'postgres://u@127.0.0.1:5432/test',
  );
  assert.equal(readConfig(urls, {}, { DATABASE_URL: '' }).databaseUrl, undefined, 'empty is unset');
  const problem = (raw: string) => {
    try {
      readConfig(urls, {}, { DATABASE_URL: raw });
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  assert.match(
    problem('foo'),
    /^DATABASE_URL: "foo" is not a URL \(expected postgres:\/\/ or postgresql:\/\/, e\.g\./,
  );
  assert.match(problem('mysql://u:secret@h/db'), /must start with postgres:\/\//);
  assert.doesNotMatch(problem('mysql://u:secret@h/db'), /secret/);
  assert.match(problem('postgres:///db'), /names no host/);
});

test('matching fields and rules: each problem is named, all in one error', () => {
  const spec = {
    schema: matching('schema', 'public', (v) => /^[a-z_]+$/.test(v), 'a plain SQL identifier'),
    workers: int('workers', 8, { min: 0 }),
    natsUrl: optionalStr('NATS'),
  };
  const rules = [
    (c: { workers: number; natsUrl: string | undefined }) =>
      c.workers === 0 && c.natsUrl === undefined ? '--workers 0 needs NATS_URL' : undefined,
  ];
  assert.deepEqual(readConfig(spec, { workers: '0' }, { NATS_URL: 'nats://x' }, rules), {
    schema: 'public',
    workers: 0,
    natsUrl: 'nats://x',
  });
  assert.throws(
    () => readConfig(spec, { schema: 'a;b', workers: '0' }, {}, rules),
    (err: unknown) =>
      isPeaklabError(err, 'PL_CONFIG_INVALID') &&
      err.message === '--schema: "a;b" is not a plain SQL identifier; --workers 0 needs NATS_URL',
  );
});
