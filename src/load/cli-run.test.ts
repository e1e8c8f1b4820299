import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './testing/cli.js';
import { startServer } from './testing/server.js';
import type { LoadResult } from './types.js';

/** JMeter's CSV columns, as JMeter's default jmeter.save.saveservice settings write them. */
const JMETER_COLUMNS = [
  'timeStamp',
  'elapsed',
  'label',
  'responseCode',
  'responseMessage',
  'threadName',
  'dataType',
  'success',
  'failureMessage',
  'bytes',
  'sentBytes',
  'grpThreads',
  'allThreads',
  'URL',
  'Latency',
  'IdleTime',
  'Connect',
];

/** Splits one CSV line (RFC 4180 quoting) into fields. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

test('thresholds: a passing set exits 0, a failing one exits 99 and the report names it', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 20));
  try {
    const base = ['load', `${server.url}/`, '--rate', 'constant:50', '--duration', '1s'];
    const pass = await runCli([
      ...base,
      '--threshold',
      'p50<2s',
      '--threshold',
      'errors<1%',
      '--threshold',
      'status_5xx==0',
    ]);
    assert.equal(pass.code, 0, pass.err);
    assert.match(pass.out, /PASS {2}p50<2s/);
    const fail = await runCli([...base, '--threshold', 'p50<5ms', '--threshold', 'dropped==0']);
    assert.equal(fail.code, 99);
    assert.match(fail.out, /FAIL {2}p50<5ms/);
    assert.match(fail.out, /PASS {2}dropped==0/);
    assert.match(fail.err, /^peaklab: threshold failed: p50<5ms .*\(PL_THRESHOLD_FAILED\)\n$/);
  } finally {
    await server.close();
  }
});

test('windowed thresholds: one short stall fails p99[1s] while the whole-run p99 passes', async () => {
  // Requests 200-202 (about 2 s in) are held, then answered together 1.5 s later: 3 slow requests
  // of 500, too few for the whole run's p99 (the 495th), enough for their second's (the 99th of 100).
  // The stall and the limits are far apart (1 s against 1.5 s; 5 s) so a busy machine, whose own
  // stalls are tens of ms, cannot move a verdict.
  const held: (() => void)[] = [];
  const server = await startServer((_q, res, _b, n) => {
    if (n < 200 || n > 202) {
      res.end('ok');
      return;
    }
    held.push(() => res.end('ok'));
    if (held.length === 3)
      setTimeout(() => {
        for (const release of held) release();
      }, 1500);
  });
  try {
    const r = await runCli([
      'load',
      `${server.url}/`,
      '--rate',
      'constant:100',
      '--duration',
      '5s',
      '--threshold',
      'p99<1s',
      '--threshold',
      'p99[1s]<1s',
      '--threshold',
      'p99[1s]<5s',
    ]);
    assert.equal(r.code, 99, r.err);
    assert.match(r.out, /PASS {2}p99<1s\tp99 was /);
    // The report names the worst window and its value: the stall, about 1500 ms.
    const m =
      /FAIL {2}p99\[1s\]<1s\tp99 was ([\d.]+)(ms|s) in the worst 1s window \(from second [234]\); first failed from second [234]/.exec(
        r.out,
      );
    const worstMs = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : Number.NaN;
    assert.ok(worstMs >= 1480 && worstMs < 3000, r.out);
    assert.match(r.out, /PASS {2}p99\[1s\]<5s\tthe worst 1s window \(from second [234]\): [\d.]+(ms|s)/);
    assert.match(r.err, /^peaklab: threshold failed: p99\[1s\]<1s .*\(PL_THRESHOLD_FAILED\)\n$/);
  } finally {
    await server.close();
  }
});

test('outputs: JSON result, JMeter CSV, HTML, errors log, and report rewrites each', async () => {
  // Every third request fails with a 500 and a recognisable body.
  const server = await startServer((_q, res, _b, n) => {
    if (n % 3 === 2) {
      res.statusCode = 500;
      res.end(`boom ${n}`);
    } else res.end('ok');
  });
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-out-'));
  const f = (name: string) => join(dir, name);
  try {
    const r = await runCli([
      'load',
      `${server.url}/items/{{seq}}`,
      '--rate',
      'constant:60',
      '--duration',
      '1s',
      '--quiet',
      '--out',
      f('r.json'),
      '--jtl',
      f('r.jtl'),
      '--html',
      f('r.html'),
      '--errors-log',
      f('errors.jsonl'),
    ]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '', '--quiet prints nothing');
    const result = JSON.parse(readFileSync(f('r.json'), 'utf8')) as LoadResult;
    assert.equal(result.schema, 'peaklab.load-result/v1');
    assert.equal(result.settings.rate, 'constant:60');
    assert.equal(result.summary.started, 60);
    assert.equal(result.summary.status['500'], 20);
    // JTL: JMeter's header, one row per request, each row with every column.
    const jtl = readFileSync(f('r.jtl'), 'utf8').trimEnd().split('\n');
    assert.equal(jtl[0], JMETER_COLUMNS.join(','));
    const cols = JMETER_COLUMNS;
    const rows = jtl.slice(1).map(csvFields);
    assert.equal(rows.length, 60);
    for (const row of rows) {
      assert.equal(row.length, cols.length);
      const rec = Object.fromEntries(cols.map((c, i) => [c, row[i]]));
      assert.match(rec.timeStamp as string, /^\d{13}$/);
      assert.match(rec.elapsed as string, /^\d+$/);
      assert.equal(rec.success, rec.responseCode === '200' ? 'true' : 'false');
      assert.equal(rec.label, 'GET /items/{{seq}}');
      assert.equal(rec.threadName, 'peaklab 1-1');
      assert.equal(rec.URL, `${server.url}/items/{{seq}}`);
      // "ok", or "boom N".
      if (rec.responseCode === '200') assert.equal(rec.bytes, '2');
      else assert.ok(Number(rec.bytes) >= 6, rec.bytes);
    }
    assert.equal(rows.filter((row) => row[3] === '500').length, 20);
    // Errors log: every failed request, with status, body excerpt and time.
    const errors = readFileSync(f('errors.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(errors.length, 20);
    for (const e of errors) {
      assert.equal(e.status, '500');
      assert.match(e.body, /^boom \d+$/);
      assert.ok(!Number.isNaN(Date.parse(e.time)));
    }
    // HTML: one self-contained file with the three charts, and no network references.
    const html = readFileSync(f('r.html'), 'utf8');
    for (const id of ['chart-rate', 'chart-status', 'chart-latency'])
      assert.ok(html.includes(`id="${id}"`), id);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=["']?https?:/);
    // report rewrites the saved result in each format.
    const text = await runCli(['report', f('r.json')]);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /Status code distribution:\n {2}\[200\]\t40 responses\n {2}\[500\]\t20 responses/);
    // The rebuilt JTL agrees with the live one in everything the result saves per second.
    const jtl2 = await runCli(['report', f('r.json'), '--format', 'jtl']);
    const rows2 = jtl2.out.trimEnd().split('\n');
    assert.equal(rows2[0], JMETER_COLUMNS.join(','));
    const rebuilt = rows2.slice(1).map(csvFields);
    assert.equal(rebuilt.length, 60);
    const column = (rs: string[][], name: string) => rs.map((row) => row[cols.indexOf(name)] as string);
    assert.equal(column(rebuilt, 'responseCode').filter((c) => c === '500').length, 20);
    for (const name of ['label', 'threadName', 'URL', 'grpThreads', 'allThreads', 'dataType'])
      assert.deepEqual(new Set(column(rebuilt, name)), new Set(column(rows, name)), name);
    const total = (rs: string[][], name: string) => column(rs, name).reduce((n, v) => n + Number(v), 0);
    assert.equal(total(rebuilt, 'bytes'), total(rows, 'bytes'));
    assert.equal(total(rebuilt, 'bytes'), result.summary.bytesIn);
    const html2 = await runCli(['report', f('r.json'), '--format', 'html', '-o', f('again.html')]);
    assert.equal(html2.code, 0, html2.err);
    assert.ok(readFileSync(f('again.html'), 'utf8').includes('id="chart-status"'));
  } finally {
    await server.close();
  }
});

test('progress: one live line per second on a TTY, nothing when not a TTY', async () => {
  const server = await startServer();
  try {
    const args = ['load', `${server.url}/`, '--rate', 'constant:30', '--duration', '2s'];
    const tty = await runCli(args, { tty: true });
    assert.equal(tty.code, 0, tty.err);
    // Each update returns the cursor and clears the line (ESC [2K) before writing.
    const clear = '\r\u001b[2K';
    const updates = tty.out.split(clear).filter((s) => s.startsWith('  '));
    // The line is a snapshot when the second closes: a start sent a moment late is not in it yet.
    const first = /^ {2}1s {2}rate (\d+)\/s {2}p99 \S+ {2}errors 0 \(0\.0%\)$/.exec(updates[0] as string);
    const second = /^ {2}2s {2}rate (\d+)\/s/.exec(updates[1] as string);
    assert.ok(first && second, tty.out);
    for (const m of [first, second]) assert.ok(Number(m[1]) >= 25 && Number(m[1]) <= 30, m[0]);
    const pipe = await runCli(args);
    assert.ok(
      !pipe.out.includes('\r') && !pipe.out.includes('\u001b'),
      'no control characters when not a TTY',
    );
    assert.match(pipe.out, /Summary:/);
  } finally {
    await server.close();
  }
});
