import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../main.js';

async function run(argv: string[], env: Record<string, string> = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  err.on('data', (c: Buffer) => {
    text += c.toString();
  });
  out.resume();
  const code = await main(['node', 'peaklab', ...argv], { env, out, err });
  return { code, err: text };
}

test('serve orders: every bad setting is reported at once, in one line, exit 2', async () => {
  const r = await run(['serve', 'orders', '--mode', 'turbo', '--port', '70000'], { FAIL_RATE: '2' });
  assert.equal(r.code, 2);
  assert.match(r.err, /^peaklab: [^\n]* \(PL_CONFIG_INVALID\)\n$/, 'one line');
  for (const part of [
    '--mode: "turbo" is not one of',
    '--port: must be at most 65535',
    'FAIL_RATE: must be at most 1',
  ]) {
    assert.ok(r.err.includes(part), `names ${part}`);
  }
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
});

test('serve orders: a schema name that is not a plain identifier is refused before connecting', async () => {
  const r = await run(['serve', 'orders', '--db-schema', 'x"; DROP TABLE orders; --'], {
    DATABASE_URL: 'postgres://127.0.0.1:1/none',
  });
  assert.equal(r.code, 2);
  assert.match(r.err, /--db-schema: .* is not a plain SQL identifier \(PL_CONFIG_INVALID\)/);
});

test('serve orders: an unreachable database is one line naming it, exit 1', async () => {
  const r = await run(['serve', 'orders', '--mode', 'direct', '--port', '0'], {
    DATABASE_URL: 'postgres://127.0.0.1:1/none',
    LOG_LEVEL: 'silent',
  });
  assert.equal(r.code, 1);
  assert.match(r.err, /^peaklab: Postgres at 127\.0\.0\.1:1: .* \(PL_BACKEND_UNAVAILABLE\)\n$/);
});

test('worker orders: refuses to start without NATS_URL (an in-process queue has no producer)', async () => {
  const r = await run(['worker', 'orders'], {});
  assert.equal(r.code, 2);
  assert.match(r.err, /NATS_URL.* is required .*\(PL_CONFIG_INVALID\)/);
});

test('config: a malformed URL, stream or schema is one line with exit 2, before any backend is opened', async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [[], { DATABASE_URL: 'foo' }, /DATABASE_URL: "foo" is not a URL/],
    [[], { DATABASE_URL: 'http://127.0.0.1/test' }, /DATABASE_URL: .* postgres:\/\/ or postgresql:\/\//],
    [[], { NATS_URL: '127.0.0.1:4222' }, /NATS_URL: .* nats:\/\//],
    [['--stream', 'ORDERS.NEW'], {}, /--stream: "ORDERS\.NEW" is not a JetStream stream name/],
    [['--stream', 'my orders'], {}, /--stream: .* is not a JetStream stream name/],
    [['--db-schema', '1abc'], {}, /--db-schema: "1abc" is not a plain SQL identifier/],
  ];
  for (const [args, env, want] of cases) {
    const r = await run(['serve', 'orders', '--port', '0', ...args], { ...env, LOG_LEVEL: 'silent' });
    assert.equal(r.code, 2, `${JSON.stringify([args, env])}: ${r.err}`);
    assert.match(r.err, /^peaklab: [^\n]* \(PL_CONFIG_INVALID\)\n$/, 'one line');
    assert.match(r.err, want);
    assert.doesNotMatch(r.err, /unexpected error/);
  }
});

test('config: every bad backend value and every broken rule are reported together', async () => {
  const r = await run(['serve', 'orders', '--mode', 'queue', '--workers', '0', '--stream', 'a>b'], {
    DATABASE_URL: 'foo',
  });
  assert.equal(r.code, 2);
  for (const part of ['DATABASE_URL: "foo"', '--stream: "a>b"', '--workers 0']) {
    assert.ok(r.err.includes(part), `names ${part}: ${r.err}`);
  }
});

test('config: queue mode with the in-process queue and --workers 0 is refused before anything opens', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-cfg-'));
  try {
    const dataDir = join(dir, 'pglite');
    const r = await run(['serve', 'orders', '--mode', 'queue', '--workers', '0', '--data-dir', dataDir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--workers 0 .*needs NATS_URL.*\(PL_CONFIG_INVALID\)\n$/);
    assert.equal(existsSync(dataDir), false, 'no database was created');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('serve sale: every bad setting is reported at once, in one line, exit 2, before anything opens', async () => {
  const r = await run(
    ['serve', 'sale', '--items', '0', '--sale-interval', '1500ms', '--redis-prefix', 'a b'],
    {
      CHECKOUT_TTL: '10',
      REDIS_URL: 'http://127.0.0.1:6379',
    },
  );
  assert.equal(r.code, 2);
  assert.match(r.err, /^peaklab: [^\n]* \(PL_CONFIG_INVALID\)\n$/, 'one line');
  for (const part of [
    '--items: must be at least 1',
    'CHECKOUT_TTL: "10" is not a duration',
    'REDIS_URL: "http://127.0.0.1:6379/" must start with redis://',
    '--redis-prefix: "a b" is not a key prefix',
    '--sale-interval: must be whole seconds',
  ]) {
    assert.ok(r.err.includes(part), `names ${part}: ${r.err}`);
  }
});

test('serve sale: an unreachable Redis is one line naming it, exit 1', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'peaklab-sale-cli-'));
  try {
    const r = await run(['serve', 'sale', '--port', '0', '--redis-timeout', '500ms'], {
      REDIS_URL: 'redis://127.0.0.1:1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    assert.equal(r.code, 1);
    assert.match(r.err, /^peaklab: Redis at 127\.0\.0\.1:1: .* \(PL_BACKEND_UNAVAILABLE\)\n$/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
