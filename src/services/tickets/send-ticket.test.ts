/**
 * scripts/send_ticket.sh against a local HTTP server that records what it got: the exact bytes, the
 * headers, a signature that the service's own verifier accepts, and the exit codes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { childEnv } from '../../testing/env.js';
import { needTool } from '../../testing/tools.js';
import { signatureVerifier } from './signature.js';

const SCRIPT = new URL('../../../../scripts/send_ticket.sh', import.meta.url).pathname;
const SEED = readFileSync(new URL('../../../../scripts/ticket.txt', import.meta.url));
const skip =
  needTool('/usr/bin/curl', 'apt-get install curl').skip ||
  needTool('/usr/bin/openssl', 'apt-get install openssl').skip;

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A server that answers `status` with a JSON body and records each request. */
async function recorder(status: number): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"id":"t-1","status":"received"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ticket`,
    got,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { env: childEnv({ TICKET_SECRET: undefined, ...env }), timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

test('send_ticket.sh: posts the seed ticket byte for byte, unsigned by default', { skip }, async () => {
  const srv = await recorder(202);
  try {
    const r = await run(['--url', srv.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '{"id":"t-1","status":"received"}');
    assert.match(r.stderr, /HTTP 202/);
    const [req] = srv.got;
    assert.equal(req?.method, 'POST');
    assert.equal(req?.url, '/ticket');
    assert.match(req?.headers['content-type'] ?? '', /^text\/plain/);
    assert.equal(req?.headers['x-signature'], undefined);
    assert.equal(req?.headers['idempotency-key'], undefined);
    assert.deepEqual(req?.body, SEED);
  } finally {
    await srv.close();
  }
});

test('send_ticket.sh: --secret (or TICKET_SECRET) signs the exact bytes; --key is sent', {
  skip,
}, async () => {
  const srv = await recorder(202);
  const verifier = signatureVerifier('s3cret with spaces');
  const messy = join(tmpdir(), `ticket-${process.pid}.txt`);
  // CRLF, a BOM and no final newline: bytes a text-mode upload would change.
  writeFileSync(
    messy,
    Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(SEED.toString().trimEnd().replace(/\n/g, '\r\n')),
    ]),
  );
  try {
    assert.equal((await run(['--url', srv.url, '--secret', 's3cret with spaces', '--key', 'k-1'])).code, 0);
    assert.equal((await run(['--url', srv.url, messy], { TICKET_SECRET: 's3cret with spaces' })).code, 0);
    assert.equal((await run(['--url', srv.url, '--secret', 'another', messy])).code, 0);
    const [signed, fromEnv, wrong] = srv.got;
    assert.equal(signed?.headers['idempotency-key'], 'k-1');
    assert.deepEqual(
      verifier.verify(signed?.body ?? Buffer.alloc(0), signed?.headers['x-signature'] as string),
      { ok: true },
    );
    assert.deepEqual(fromEnv?.body, readFileSync(messy));
    assert.deepEqual(
      verifier.verify(fromEnv?.body ?? Buffer.alloc(0), fromEnv?.headers['x-signature'] as string),
      { ok: true },
    );
    const check = verifier.verify(wrong?.body ?? Buffer.alloc(0), wrong?.headers['x-signature'] as string);
    assert.equal(check.ok ? 'ok' : check.reason, 'mismatch');
  } finally {
    rmSync(messy, { force: true });
    await srv.close();
  }
});

test('send_ticket.sh: a refusal exits 1, a usage error 2, no server the curl code', { skip }, async () => {
  const srv = await recorder(401);
  try {
    const refused = await run(['--url', srv.url]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 401/);
  } finally {
    await srv.close();
  }
  assert.equal((await run(['--nope'])).code, 2);
  assert.equal((await run(['/no/such/ticket.txt'])).code, 2);
  assert.equal((await run(['--url', 'http://127.0.0.1:1/ticket'])).code, 7, 'connection refused');
});
