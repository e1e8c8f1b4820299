import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PEAKLAB_BIN } from '../shared/child-service.js';
import { runLoad } from './mod.js';
import { assertAccounting } from './testing/accounting.js';
import type { LoadOptions, LoadResult } from './types.js';

/**
 * The target goes away, or misbehaves, mid-run: every transport failure is one counted outcome, an
 * error of a kind, never a crash and never also a status.
 */

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

test('the issue: a target that accepts the start-up check and then stops listening', async () => {
  // It accepts one connection (peaklab's pre-flight check), then closes its listening socket.
  const server = createServer((c) => {
    c.destroy();
    server.close();
  });
  const port = await listen(server);
  const out = join(mkdtempSync(join(tmpdir(), 'peaklab-gone-')), 'r.json');
  const child = spawn(
    process.execPath,
    [PEAKLAB_BIN, 'load', `http://127.0.0.1:${port}/`, '--vus', '1', '--requests', '50', '--out', out],
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
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /AssertionError|\n\s+at /);
  assert.match(stdout, /Error distribution:\n {2}\[econnrefused\]\t50 errors/);
  assert.ok(existsSync(out), 'the result file is written');
  const r = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
  assert.deepEqual(r.summary.errors, { econnrefused: 50 });
  assert.deepEqual(r.summary.status, {});
  assertAccounting(r);
});

/** A raw TCP "HTTP server" that answers every request with `respond`, for behaviours node:http won't produce. */
async function rawServer(
  respond: (socket: Socket) => void,
  onConnect = false,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (onConnect) {
      respond(socket);
      return;
    }
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      // One response per complete request head (requests here have no body).
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        respond(socket);
      }
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const BEHAVIOURS: { name: string; kinds: RegExp; respond: (s: Socket) => void; https?: boolean }[] = [
  {
    name: 'connection reset on the request',
    kinds: /^(econnreset|epipe)$/,
    respond: (s) => s.resetAndDestroy(),
  },
  { name: 'closed before any response', kinds: /^closed$/, respond: (s) => s.end() },
  {
    name: 'headers, then closed mid-body',
    kinds: /^closed$/,
    respond: (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'),
  },
  {
    // The OS reports the reset as such, or (seen under load, with worker threads) as the end of
    // the stream before the body was whole: either way one error, no status.
    name: 'headers, then reset mid-body',
    kinds: /^(econnreset|closed)$/,
    respond: (s) => {
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
      setTimeout(() => s.resetAndDestroy(), 5);
    },
  },
  {
    name: 'a half-written status line',
    kinds: /^closed$/,
    respond: (s) => s.end('HTTP/1.1 2'),
  },
  {
    name: 'a chunked body cut short',
    kinds: /^closed$/,
    respond: (s) => s.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab'),
  },
  {
    name: 'not HTTP at all',
    kinds: /^bad_response$/,
    respond: (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'),
  },
  {
    name: 'TLS to a server that does not speak it',
    kinds: /^tls$/,
    respond: (s) => s.end('nope\r\n\r\n'),
    https: true,
  },
];

for (const b of BEHAVIOURS) {
  test(`transport failure, ${b.name}: one error per request, of kind ${b.kinds.source}, in both models and with --threads 2`, async () => {
    // TLS: the server answers the ClientHello's connection at once, with something that is not TLS.
    const server = await rawServer(b.respond, b.https === true);
    const url = b.https ? server.url.replace('http:', 'https:') : server.url;
    try {
      const runs: [string, LoadOptions][] = [
        ['open', { target: url, rate: 'constant:200', requests: 20, timeoutMs: 2000 }],
        ['closed', { target: url, vus: 2, requests: 20, timeoutMs: 2000 }],
        ['open, 2 threads', { target: url, rate: 'constant:200', requests: 20, threads: 2, timeoutMs: 2000 }],
        ['closed, 2 threads', { target: url, vus: 2, requests: 20, threads: 2, timeoutMs: 2000 }],
      ];
      for (const [name, options] of runs) {
        const r = await runLoad(options);
        const why = `${name}: ${JSON.stringify(r.summary)}`;
        assert.equal(r.summary.started, 20, why);
        assert.deepEqual(r.summary.status, {}, `${why}: a failed request has no status`);
        assert.equal(r.summary.failed, 20, why);
        for (const [kind, n] of Object.entries(r.summary.errors)) assert.match(kind, b.kinds, `${why}: ${n}`);
        assertAccounting(r, name);
      }
    } finally {
      await server.close();
    }
  });
}
