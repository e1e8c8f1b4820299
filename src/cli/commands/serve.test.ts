import assert from 'node:assert/strict';
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
