import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PEAKLAB_BIN } from '../shared/child-service.js';
import { runLoad } from './mod.js';
import { assertAccounting } from './testing/accounting.js';
import { runCli } from './testing/cli.js';
import { startServer } from './testing/server.js';
import { TEST_CERT, TEST_KEY } from './testing/tls-fixture.js';
import type { LoadResult } from './types.js';

test('SIGTERM stops the run like Ctrl+C: report and --out written, exit 143, counts add up', async () => {
  const server = await startServer();
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-sigterm-'));
  try {
    for (const threads of ['1', '2']) {
      const out = join(dir, `r${threads}.json`);
      const args = ['load', `${server.url}/`, '--rate', 'constant:100', '--duration', '60s'];
      const child = spawn(
        process.execPath,
        [PEAKLAB_BIN, ...args, '--threads', threads, '--threshold', 'p99<10s', '--out', out],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const before = server.received;
      while (server.received < before + 50) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGTERM');
      const code = await exited;
      const why = `--threads ${threads}: ${stderr}`;
      assert.equal(code, 143, why);
      assert.match(stdout, /Summary: \(interrupted: the report covers the run so far\)/, why);
      assert.match(stdout, /Thresholds:\n {2}PASS {2}p99<10s/, why);
      assert.match(stderr, /^peaklab: terminated \(SIGTERM\): .*\(PL_TERMINATED\)\n$/, why);
      const result = JSON.parse(await readFile(out, 'utf8')) as LoadResult;
      assert.equal(result.interrupted, true, why);
      assertAccounting(result, why);
      // Every request the server saw was started by this run (the server counts for itself).
      assert.equal(server.received - before, result.summary.started, why);
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('--insecure: a self-signed https target is served; without it every request is error kind "tls"', async () => {
  let served = 0;
  const server = createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, (_req, res) => {
    served++;
    res.end('secure');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
  try {
    const strict = await runLoad({ target: url, rate: 'constant:100', requests: 6 });
    assert.deepEqual(strict.summary.errors, { tls: 6 });
    assert.equal(served, 0);
    for (const threads of [1, 2]) {
      const before: number = served;
      const r = await runLoad({ target: url, rate: 'constant:100', requests: 6, threads, insecure: true });
      assert.deepEqual(r.summary.status, { '200': 6 }, JSON.stringify(r.summary));
      assert.equal(served - before, 6, 'the server answered each');
      assert.equal(r.settings.insecure, true, 'the result says verification was off');
    }
    const cli = await runCli([
      'load',
      url,
      '--rate',
      'constant:100',
      '--requests',
      '4',
      '--insecure',
      '--quiet',
    ]);
    assert.equal(cli.code, 0, cli.err);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('--insecure does not hide a broken handshake (kind "tls"), and is refused for http:// and grpc://', async () => {
  // Accepts TCP, answers the ClientHello with something that is not TLS.
  const raw = createTcpServer((s) => {
    s.on('error', () => {});
    s.end('nope\r\n\r\n');
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const port = (raw.address() as AddressInfo).port;
  try {
    const r = await runLoad({
      target: `https://127.0.0.1:${port}/`,
      rate: 'constant:100',
      requests: 5,
      insecure: true,
    });
    assert.deepEqual(r.summary.errors, { tls: 5 });
    assertAccounting(r);
  } finally {
    raw.close();
  }
  for (const target of [`http://127.0.0.1:${port}/`, `grpc://127.0.0.1:${port}`]) {
    const extra = target.startsWith('grpc') ? ['--proto', 'x.proto', '--call', 'a.B/c'] : [];
    const cli = await runCli(['load', target, '--insecure', ...extra]);
    assert.equal(cli.code, 2, cli.err);
    assert.match(cli.err, /--insecure skips TLS verification: it needs an https:\/\/ target/);
  }
});
