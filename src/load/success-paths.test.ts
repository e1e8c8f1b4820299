import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { runCli } from './testing/cli.js';
import { startServer } from './testing/server.js';
import type { LoadResult } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'peaklab-paths-'));

test('CLI: --body @file --template-body is templated and sent (POST by default), with each --header', async () => {
  const seen: { method: string; body: string; a: string; id: string }[] = [];
  const server = await startServer((req, res, body) => {
    seen.push({
      method: req.method ?? '',
      body,
      a: String(req.headers['x-a']),
      id: String(req.headers['x-id']),
    });
    res.end('ok');
  });
  const bodyFile = join(dir, 'order.json');
  writeFileSync(bodyFile, '{"item":"book","n":{{seq}}}\n');
  try {
    const out = join(dir, 'body.json');
    const r = await runCli([
      'load',
      `${server.url}/orders`,
      '--rate',
      'constant:20',
      '--duration',
      '300ms',
      '--body',
      `@${bodyFile}`,
      '--template-body',
      '--header',
      'x-a: one:two',
      '--header',
      'x-id:{{seq}}',
      '--quiet',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.equal(seen.length, 6);
    const sorted = [...seen].sort((a, b) => Number(a.id) - Number(b.id));
    sorted.forEach((s, i) => {
      assert.deepEqual(s, {
        method: 'POST',
        body: `{"item":"book","n":${i}}\n`,
        a: 'one:two',
        id: String(i),
      });
    });
    const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
    assert.equal(
      result.summary.bytesOut,
      seen.reduce((n, s) => n + Buffer.byteLength(s.body), 0),
    );
  } finally {
    await server.close();
  }
});

test('trace, steps and spike profiles drive an actual run, second by second', async () => {
  const server = await startServer();
  const trace = join(dir, 'trace.csv');
  writeFileSync(trace, 'second,rps\n0,10\n1,30\n');
  const started = (r: LoadResult) => r.timeline.map((s) => s.started);
  const targets = (r: LoadResult) => r.timeline.map((s) => Math.round(s.target));
  try {
    // Low rates on one server, run side by side: counts are by intended second, so they are exact.
    const [fromTrace, steps, spike] = await Promise.all([
      runLoad({ target: `${server.url}/`, rate: `trace:${trace}` }),
      runLoad({ target: `${server.url}/`, rate: 'steps:10,30@1s' }),
      runLoad({ target: `${server.url}/`, rate: 'spike:10,40@1s', durationMs: 3000 }),
    ]);
    assert.deepEqual(started(fromTrace).slice(0, 2), [10, 30]);
    assert.equal(fromTrace.summary.started, 40, 'the trace ends after its last second');
    assert.equal(fromTrace.settings.durationMs, 2000, "the trace's own length");
    assert.deepEqual(started(steps).slice(0, 2), [10, 30]);
    assert.equal(steps.settings.durationMs, 2000);
    assert.deepEqual(started(spike).slice(0, 3), [10, 40, 10]);
    assert.deepEqual(targets(spike).slice(0, 3), [10, 40, 10]);
    assert.equal(server.received, 40 + 40 + 60);
    for (const r of [fromTrace, steps, spike]) assert.equal(r.summary.failed, 0);
  } finally {
    await server.close();
  }
});

test('--duration with --requests: whichever comes first ends the run', async () => {
  const server = await startServer();
  try {
    const [byCount, byTime] = await Promise.all([
      runLoad({ target: `${server.url}/`, rate: 'constant:100', durationMs: 5000, requests: 30 }),
      runLoad({ target: `${server.url}/`, rate: 'constant:50', durationMs: 400, requests: 1000 }),
    ]);
    assert.equal(byCount.summary.started, 30);
    assert.ok(byCount.summary.durationMs < 1000, `ran ${byCount.summary.durationMs} ms`);
    assert.equal(byTime.summary.started, 20);
    assert.ok(Math.abs(byTime.summary.durationMs - 400) < 50, `ran ${byTime.summary.durationMs} ms`);
  } finally {
    await server.close();
  }
});
