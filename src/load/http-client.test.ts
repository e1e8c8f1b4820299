import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PEAKLAB_BIN } from '../shared/child-service.js';
import { runLoad } from './mod.js';
import { assertAccounting } from './testing/accounting.js';
import { startServer } from './testing/server.js';
import { TEST_CERT, TEST_KEY } from './testing/tls-fixture.js';
import type { LoadResult } from './types.js';

/** peaklab's own HTTP/1.1 client against real node:http and node:https servers. */

test('response shapes: chunked, a 1 MB body, HEAD, 204, 304, 100-continue, connection: close', async () => {
  const big = Buffer.alloc(1 << 20, 0x61);
  const server = await startServer((req, res) => {
    switch (req.url) {
      case '/chunked':
        res.write('a');
        setTimeout(() => {
          res.write('bb');
          res.end('ccc');
        }, 2);
        return;
      case '/big':
        res.end(big);
        return;
      case '/empty':
        res.statusCode = 204;
        res.end();
        return;
      case '/cached':
        res.statusCode = 304;
        res.end();
        return;
      case '/continue':
        res.writeContinue();
        res.end('after');
        return;
      case '/close':
        res.setHeader('connection', 'close');
        res.end('bye');
        return;
      default:
        res.end('ok');
    }
  });
  try {
    const cases: [string, Partial<Parameters<typeof runLoad>[0]>, string, number][] = [
      ['/chunked', {}, '200', 6],
      ['/big', {}, '200', big.length],
      ['/big', { method: 'HEAD' }, '200', 0],
      ['/empty', {}, '204', 0],
      ['/cached', {}, '304', 0],
      ['/continue', {}, '200', 5],
      ['/close', {}, '200', 3],
    ];
    for (const [path, extra, status, bytes] of cases) {
      const r = await runLoad({ target: `${server.url}${path}`, vus: 2, requests: 10, ...extra });
      const why = `${path} ${JSON.stringify(extra)}: ${JSON.stringify(r.summary)}`;
      assert.deepEqual(r.summary.status, { [status]: 10 }, why);
      assert.equal(r.summary.bytesIn, 10 * bytes, why);
      assertAccounting(r, path);
    }
  } finally {
    await server.close();
  }
});

test('a server that closes idle keep-alive connections costs no errors', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 60;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    // One connection, a request every 50-100 ms: each finds it closed by the server, or about to be.
    const r = await runLoad({ target: url, rate: 'constant:13', durationMs: 2000, connections: 1 });
    assert.deepEqual(r.summary.errors, {}, JSON.stringify(r.summary));
    assert.equal(r.summary.ok, 26);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a target that goes away and comes back: refused while it is down, served again after', async () => {
  let server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const down = async () => {
    await sleep(500);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await sleep(500);
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  };
  try {
    const outage = down();
    const r = await runLoad({ target: `http://127.0.0.1:${port}/`, rate: 'constant:100', durationMs: 2000 });
    await outage;
    assertAccounting(r);
    assert.ok((r.summary.errors.econnrefused ?? 0) >= 20, JSON.stringify(r.summary));
    // Served before the outage and after it: the last second is all ok again.
    const last = r.timeline.filter((s) => s.phase === 'schedule').at(-1);
    assert.ok(last && (last.ok ?? 0) >= 90, JSON.stringify(last));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('HTTPS: served when the certificate is trusted, error kind "tls" when it is not', async () => {
  const server = createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, (_req, res) => res.end('secure'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-tls-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, TEST_CERT);
  try {
    const untrusted = await runLoad({
      target: `https://localhost:${port}/`,
      rate: 'constant:50',
      requests: 5,
    });
    assert.deepEqual(untrusted.summary.errors, { tls: 5 });
    // A CA is trusted for a whole process: the trusted run is its own process.
    const out = join(dir, 'r.json');
    const child = spawn(
      process.execPath,
      [
        PEAKLAB_BIN,
        'load',
        `https://localhost:${port}/`,
        '--rate',
        'constant:50',
        '--requests',
        '5',
        '--quiet',
        '--out',
        out,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } },
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, err);
    const r = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
    assert.deepEqual(r.summary.status, { '200': 5 });
    assert.equal(r.summary.bytesIn, 5 * 'secure'.length);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
