import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { renderLoadHtml } from './report-html.js';
import { renderJtl } from './report-jtl.js';
import { renderTextReport } from './report-text.js';
import { assertAccounting } from './testing/accounting.js';
import { startServer } from './testing/server.js';
import type { LoadOptions, LoadResult } from './types.js';

/**
 * One accounting identity, checked against a server that counts for itself, and printed the same
 * way in every output: scheduled = started + dropped; started = ok + failed + unfinished.
 */
const dir = mkdtempSync(join(tmpdir(), 'peaklab-accounting-'));

/** Request n: 500, cut mid-body, held, 404, held or 200 (n mod 6). Held ones are never answered. */
function mixed(n: number, res: import('node:http').ServerResponse): void {
  switch (n % 6) {
    case 0:
      res.statusCode = 500;
      res.end('boom');
      return;
    case 1:
      res.writeHead(200, { 'content-length': 100 });
      res.write('part');
      setTimeout(() => res.destroy(), 2);
      return;
    case 2:
    case 4:
      return;
    case 3:
      res.statusCode = 404;
      res.end('nope');
      return;
    default:
      res.end('ok');
  }
}

/** JTL rows (header skipped) as [responseCode, success] pairs. */
function jtlRows(text: string): [string, string][] {
  return text
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => {
      const f = l.split(',');
      return [f[3] as string, f[7] as string];
    });
}

function assertPrintedEverywhere(r: LoadResult, liveJtl: string, why: string): void {
  const s = r.summary;
  const unfinished = s.unfinished ?? 0;
  const requests = `${s.scheduled} scheduled = ${s.started} started + ${s.dropped} dropped`;
  const outcomes = `${s.started} started = ${s.ok} ok + ${s.failed} failed + ${unfinished} unfinished`;
  const text = renderTextReport(r);
  assert.ok(text.includes(`  Requests:\t${requests}\n`), `${why}: text report\n${text}`);
  assert.ok(text.includes(`  Outcomes:\t${outcomes}\n`), `${why}: text report\n${text}`);
  const html = renderLoadHtml(r);
  assert.ok(html.includes(requests) && html.includes(outcomes), `${why}: HTML report`);
  // JTL, live and rebuilt: one row per scheduled request, each with its one outcome.
  for (const [name, rows] of [
    ['live JTL', jtlRows(liveJtl)],
    ['rebuilt JTL', jtlRows(renderJtl(r))],
  ] as const) {
    const count = (f: (row: [string, string]) => boolean) => rows.filter(f).length;
    assert.equal(rows.length, s.scheduled, `${why}: ${name} rows`);
    assert.equal(
      count(([c]) => c === 'dropped'),
      s.dropped,
      `${why}: ${name} dropped`,
    );
    assert.equal(
      count(([c]) => c === 'unfinished'),
      unfinished,
      `${why}: ${name} unfinished`,
    );
    assert.equal(
      count(([, ok]) => ok === 'true'),
      s.ok,
      `${why}: ${name} ok`,
    );
    assert.equal(
      count(([c, ok]) => ok === 'false' && c !== 'dropped' && c !== 'unfinished'),
      s.failed,
      `${why}: ${name} failed`,
    );
  }
}

for (const threads of [1, 2]) {
  test(`accounting, --threads ${threads}: the identities hold against a counting server, in text, JSON, JTL and HTML`, async () => {
    const server = await startServer((_q, res, _b, n) => mixed(n, res));
    const jtl = join(dir, `run-${threads}.jtl`);
    const options: LoadOptions = {
      target: `${server.url}/`,
      rate: 'constant:200',
      durationMs: 1000,
      timeoutMs: 300,
      maxInflight: 12,
      threads,
      jtl,
    };
    try {
      const r = await runLoad(options);
      const why = JSON.stringify(r.summary);
      assertAccounting(r);
      assert.equal(server.received, r.summary.started, `the server counted what peaklab started: ${why}`);
      assert.ok(r.summary.dropped > 0, `some starts were over --max-inflight: ${why}`);
      assert.ok((r.summary.errors.timeout ?? 0) > 0 && (r.summary.status['404'] ?? 0) > 0, why);
      // The cut body is one error, never also a 200.
      assert.ok((r.summary.errors.closed ?? 0) + (r.summary.errors.econnreset ?? 0) > 0, why);
      const json = JSON.parse(JSON.stringify(r)) as LoadResult;
      assertAccounting(json, 'JSON');
      assertPrintedEverywhere(r, readFileSync(jtl, 'utf8'), `--threads ${threads}`);
    } finally {
      await server.close();
    }
  });
}

test('accounting: an interrupted run counts requests still in flight as unfinished, not as completed or failed', async () => {
  const server = await startServer((_q, res, _b, n) => mixed(n, res));
  const jtl = join(dir, 'interrupted.jtl');
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 600);
    const r = await runLoad(
      { target: `${server.url}/`, rate: 'constant:100', durationMs: 10_000, timeoutMs: 10_000, jtl },
      { signal: ac.signal },
    );
    const why = JSON.stringify(r.summary);
    assert.equal(r.interrupted, true);
    assertAccounting(r);
    assert.ok((r.summary.unfinished ?? 0) >= 15, `the held requests are unfinished: ${why}`);
    assert.equal(r.summary.completed, r.summary.ok + r.summary.failed, why);
    assert.equal(server.received, r.summary.started, why);
    assertPrintedEverywhere(r, readFileSync(jtl, 'utf8'), 'interrupted');
  } finally {
    await server.close();
  }
});
