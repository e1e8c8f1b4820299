import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { PEAKLAB_BIN } from '../shared/child-service.js';
import { runLoad } from './mod.js';
import { startServer } from './testing/server.js';

test('templating gives every request its own {{uuid}} and {{seq}}, in URL, header and body', async () => {
  const seen: { url: string; header: string; body: string }[] = [];
  const server = await startServer((req, res, body) => {
    seen.push({ url: req.url ?? '', header: String(req.headers['x-id']), body });
    res.end('ok');
  });
  try {
    const r = await runLoad({
      target: `${server.url}/o/{{seq}}`,
      method: 'POST',
      headers: [['x-id', '{{uuid}}']],
      body: '{"id":"{{uuid}}","user":"{{username}}"}',
      rate: 'constant:200',
      durationMs: 500,
    });
    assert.equal(seen.length, r.summary.completed);
    assert.equal(seen.length, 100);
    const bodies = seen.map((s) => JSON.parse(s.body) as { id: string });
    assert.equal(new Set(bodies.map((b) => b.id)).size, 100);
    assert.equal(new Set(seen.map((s) => s.header)).size, 100);
    assert.deepEqual(
      seen.map((s) => Number(s.url.slice(3))).sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
  } finally {
    await server.close();
  }
});

test('--threads 2: each worker keeps its histograms, merged into one exact result', async () => {
  const server = await startServer();
  try {
    const seconds: number[] = [];
    const r = await runLoad(
      { target: `${server.url}/`, rate: 'constant:200', durationMs: 2000, threads: 2 },
      { onSecond: (s) => seconds.push(s.started) },
    );
    assert.equal(r.summary.started, 400);
    assert.equal(server.received, 400);
    assert.equal(r.latency.count, 400);
    assert.equal(r.serviceTime.count, 400);
    assert.deepEqual(
      r.timeline.slice(0, 2).map((s) => s.started),
      [200, 200],
    );
    // onSecond saw each second once, merged from both workers (a snapshot: a start sent after its
    // second closed is counted in the result's timeline, not in the already reported second).
    assert.ok(seconds.length >= 2 && seconds.slice(0, 2).every((n) => n >= 190 && n <= 200), String(seconds));
  } finally {
    await server.close();
  }
});

test('credential headers are sent as given but redacted in the result', async () => {
  const seen: string[] = [];
  const server = await startServer((req, res) => {
    seen.push(`${req.headers.authorization}|${req.headers.cookie}|${req.headers['x-keep']}`);
    res.end('ok');
  });
  try {
    const r = await runLoad({
      target: `${server.url}/`,
      headers: [
        ['Authorization', 'Bearer s3cret'],
        ['cookie', 'session=s3cret'],
        ['Proxy-Authorization', 'Basic s3cret'],
        ['x-keep', 'visible'],
      ],
      rate: 'constant:20',
      durationMs: 200,
    });
    assert.deepEqual(new Set(seen), new Set(['Bearer s3cret|session=s3cret|visible']));
    assert.deepEqual(r.settings.headers, [
      ['Authorization', '[redacted]'],
      ['cookie', '[redacted]'],
      ['Proxy-Authorization', '[redacted]'],
      ['x-keep', 'visible'],
    ]);
    assert.ok(!JSON.stringify(r).includes('s3cret'));
  } finally {
    await server.close();
  }
});

test('--threads 2 with --max-inflight 3: the threads share exactly 3 open requests', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 600));
  try {
    const r = await runLoad({
      target: `${server.url}/`,
      rate: 'constant:100',
      durationMs: 400,
      threads: 2,
      connections: 4,
      maxInflight: 3,
    });
    assert.equal(server.maxOpen, 3);
    assert.equal(r.summary.started, 3);
    assert.equal(r.summary.dropped, 37);
  } finally {
    await server.close();
  }
});

test('an abort signal stops sending and resolves with the run so far', async () => {
  const server = await startServer();
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 700);
    const started = Date.now();
    const r = await runLoad(
      { target: `${server.url}/`, rate: 'constant:100', durationMs: 30_000 },
      { signal: ac.signal },
    );
    assert.ok(Date.now() - started < 3000);
    assert.equal(r.interrupted, true);
    assert.ok(r.summary.started >= 50 && r.summary.started <= 90, `started ${r.summary.started}`);
  } finally {
    await server.close();
  }
});

test('Ctrl+C (SIGINT) on the CLI prints the report and thresholds so far, then exits 130 whatever they say', async () => {
  const server = await startServer();
  try {
    for (const threshold of ['p99<10s', 'p99<1us']) {
      const child = spawn(
        process.execPath,
        [
          PEAKLAB_BIN,
          'load',
          `${server.url}/`,
          '--rate',
          'constant:100',
          '--duration',
          '60s',
          '--threshold',
          threshold,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      // Wait until load is flowing, then press Ctrl+C.
      const before = server.received;
      while (server.received < before + 50) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      const code = await exited;
      // An interrupted run must not pass CI, even when its thresholds hold so far.
      assert.equal(code, 130, `${threshold}: ${err}`);
      assert.match(out, /Summary: \(interrupted: the report covers the run so far\)/);
      assert.match(out, /Status code distribution:\n {2}\[200\]/);
      assert.match(out, new RegExp(`Thresholds:\\n {2}(PASS|FAIL) {2}${threshold.replace(/[<.]/g, '\\$&')}`));
      assert.match(err, /^peaklab: interrupted .*\(PL_INTERRUPTED\)\n$/);
    }
  } finally {
    await server.close();
  }
});

test('--timeout: a server that never answers gives timeout errors, counted per kind', async () => {
  const server = await startServer(() => {});
  try {
    const r = await runLoad({
      target: `${server.url}/`,
      rate: 'constant:20',
      durationMs: 500,
      timeoutMs: 300,
    });
    assert.equal(r.summary.started, 10);
    assert.equal(r.summary.errors.timeout, 10);
    assert.equal(r.summary.failed, 10);
    assert.equal(r.summary.errorRate, 1);
  } finally {
    await server.close();
  }
});
