import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatMs, parseDuration } from '../shared/duration.js';
import { DEFAULTS } from './defaults.js';
import { renderJtl } from './report-jtl.js';
import { renderTextReport } from './report-text.js';
import { runCli } from './testing/cli.js';
import { fakeResult } from './testing/result.js';
import { startServer } from './testing/server.js';
import type { LoadResult } from './types.js';

test('formatMs rounds before it picks the unit: 119700 ms is 2m00s, never 1m60s', () => {
  assert.equal(formatMs(119_700), '2m00s');
  const cases: [number, string][] = [
    [119_700, '2m00s'],
    [59_999, '1m00s'],
    [59_994, '59.99s'],
    [999.7, '1.00s'],
    [99.97, '100ms'],
    [9.999, '10.0ms'],
    [0.9996, '1.00ms'],
    [0.0004, '0µs'],
    [3_599_600, '60m00s'],
    [61_000, '1m01s'],
  ];
  for (const [ms, text] of cases) assert.equal(formatMs(ms), text, String(ms));
  // Property: over many values, the text never shows a carried-over unit and reads back within rounding.
  for (let i = 0; i < 20_000; i++) {
    const ms = 10 ** (Math.random() * 7 - 3);
    const text = formatMs(ms);
    assert.doesNotMatch(text, /(^|m)60(\.0+)?s$|^1000(\.0+)?ms$|^100\.0ms$|^1000µs$/, `${ms} -> ${text}`);
    const back = parseDuration(text);
    assert.ok(Math.abs(back - ms) <= Math.max(0.0005, ms * 0.01), `${ms} -> ${text} -> ${back}`);
  }
});

test('the text histogram never repeats a label, however narrow the spread', () => {
  for (const latencies of [
    [10.001, 10.002, 10.003, 10.004, 10.02],
    [5, 5, 5, 5],
    [0.101, 0.102, 0.109],
    [1000, 1001, 1002],
    [0.5, 2000],
  ]) {
    const text = renderTextReport(fakeResult([{ latenciesMs: latencies }]));
    const lines = text.split('\n');
    const from = lines.indexOf('Response time histogram (from intended start):') + 1;
    const labels: string[] = [];
    for (let i = from; lines[i]?.startsWith('  '); i++)
      labels.push((lines[i] as string).trim().split(/\s+/)[0] as string);
    assert.ok(labels.length >= 1, text);
    assert.equal(new Set(labels).size, labels.length, `${latencies}: ${labels.join(' ')}`);
  }
});

test('JTL responseMessage is the reason phrase, live and rebuilt', async () => {
  const server = await startServer((_q, res, _b, n) => {
    res.statusCode = [200, 404, 503][n % 3] as number;
    res.end('x');
  });
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-jtl-'));
  const jtl = join(dir, 'r.jtl');
  const out = join(dir, 'r.json');
  try {
    const r = await runCli([
      'load',
      `${server.url}/`,
      '--rate',
      'constant:30',
      '--requests',
      '6',
      '--ok-status',
      '2xx',
      '--quiet',
      '--jtl',
      jtl,
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    const phrases = (text: string) =>
      new Set(
        text
          .trimEnd()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',').slice(3, 5).join(' ')),
      );
    const want = new Set(['200 OK', '404 Not Found', '503 Service Unavailable']);
    assert.deepEqual(phrases(readFileSync(jtl, 'utf8')), want);
    assert.deepEqual(phrases(renderJtl(JSON.parse(readFileSync(out, 'utf8')) as LoadResult)), want);
  } finally {
    await server.close();
  }
});

test('the open model is the default: no --rate and no --vus runs the documented default profile', async () => {
  const server = await startServer();
  const out = join(mkdtempSync(join(tmpdir(), 'peaklab-default-')), 'r.json');
  try {
    const r = await runCli(['load', `${server.url}/`, '--duration', '1s', '--quiet', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
    assert.equal(result.settings.model, 'open');
    assert.equal(result.settings.rate, DEFAULTS.rate);
    assert.equal(result.summary.started, 50);
    const docs = readFileSync(new URL('../../../docs/load.md', import.meta.url), 'utf8');
    assert.ok(docs.includes(`\`--rate ${DEFAULTS.rate}\``), 'docs/load.md names the default profile');
    const help = await runCli(['load', '--help']);
    assert.match(help.out, new RegExp(`default\\s+${DEFAULTS.rate}`));
    // --think alone belongs to the closed model: refused, not silently ignored.
    const think = await runCli(['load', `${server.url}/`, '--think', '10ms', '--duration', '1s']);
    assert.equal(think.code, 2);
    assert.match(think.err, /--think.*--vus/);
  } finally {
    await server.close();
  }
});
