import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DashboardData } from '../../dashboard/mod.js';
import type { PointsEvent } from '../../dashboard/state.js';
import { startServer } from '../../load/testing/server.js';
import type { LoadResult } from '../../load/types.js';
import { PEAKLAB_BIN } from '../../shared/child-service.js';
import { main } from '../main.js';

/** Every `init` and `points` event of a page's stream, until the server ends it. */
async function followEvents(url: string): Promise<Array<{ event: string; data: string }>> {
  const res = await fetch(new URL('/events', url));
  assert.equal(res.status, 200);
  const events: Array<{ event: string; data: string }> = [];
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (event) events.push({ event, data });
        end = buffer.indexOf('\n\n');
      }
    }
  } catch {
    // The server closing the stream at the end of the run ends it.
  }
  return events;
}

/** The client's series as the page received them: label -> Unix second -> value. */
function clientSeries(
  events: ReadonlyArray<{ event: string; data: string }>,
): Map<string, Map<number, number>> {
  const labelOf = new Map<string, string>();
  for (const e of events) {
    if (e.event !== 'init') continue;
    for (const s of (JSON.parse(e.data) as DashboardData).series) {
      if (s.group === 'client') labelOf.set(String(s.id), s.label);
    }
  }
  const out = new Map<string, Map<number, number>>();
  const put = (label: string, second: number, value: number) => {
    const m = out.get(label) ?? new Map<number, number>();
    m.set(second, value);
    out.set(label, m);
  };
  for (const e of events) {
    if (e.event === 'init') {
      const d = JSON.parse(e.data) as DashboardData;
      for (const s of d.series) {
        if (s.group !== 'client') continue;
        for (const [i, v] of s.values.entries()) if (v !== null) put(s.label, d.x[i] as number, v);
      }
    } else if (e.event === 'points') {
      const p = JSON.parse(e.data) as PointsEvent;
      for (const [id, v] of Object.entries(p.values)) {
        const label = labelOf.get(id);
        if (label !== undefined) put(label, p.second, v);
      }
    }
  }
  return out;
}

test("load --dashboard: the page streams the run's own seconds, equal to its report", async () => {
  // Every 7th request gets a 500: the errors panel has a kind to show.
  const server = await startServer((_q, res, _b, n) => {
    res.statusCode = n % 7 === 0 ? 500 : 200;
    res.end('ok');
  });
  // A service the page scrapes next to the client: its requests counter goes up by 5 a scrape.
  const service = await startServer((_q, res, _b, n) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`http_requests_total{route="/x",status="200"} ${5 * n}\n`);
  });
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-load-dashboard-'));
  let err = '';
  let events: Promise<Array<{ event: string; data: string }>> | undefined;
  const errStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      err += chunk.toString();
      const url = /live dashboard at (\S+)/.exec(err)?.[1];
      if (url && !events) events = followEvents(url);
      done();
    },
  });
  const out = new Writable({ write: (_c, _e, done) => done() });
  try {
    const file = join(dir, 'result.json');
    const args = ['load', server.url, '--rate', 'constant:40', '--duration', '3s', '--dashboard', '0'];
    args.push('--dashboard-target', `svc=${service.url}`);
    const code = await main(['node', 'peaklab', ...args, '--out', file, '--ok-status', '2xx'], {
      out,
      err: errStream,
      env: {},
    });
    assert.equal(code, 0, err);
    assert.ok(events, `the URL was printed: ${err}`);
    const all = await events;
    const series = clientSeries(all);
    // The service is on the same page: scraped, up, with its request rate charted.
    const last = JSON.parse(all.filter((e) => e.event === 'init').at(-1)?.data ?? '{}') as DashboardData;
    const svc = last.groups.find((g) => g.kind === 'target');
    assert.equal(svc?.title, 'svc');
    assert.equal(svc?.up, true);
    assert.ok(service.received >= 2, `the service was scraped (${service.received} times)`);
    // Charted: in a state the page got, or in a later points event (the last state can predate
    // the last scrape when the machine is busy: states go at most once a second).
    const rateIds = new Set<string>();
    let charted = false;
    for (const e of all) {
      if (e.event === 'init') {
        for (const s of (JSON.parse(e.data) as DashboardData).series) {
          if (s.group !== svc?.id || s.panel !== 'rate') continue;
          rateIds.add(String(s.id));
          charted ||= s.values.some((v) => v === 5);
        }
      } else if (e.event === 'points') {
        const p = JSON.parse(e.data) as PointsEvent;
        charted ||= Object.entries(p.values).some(([id, v]) => rateIds.has(id) && v === 5);
      }
    }
    assert.ok(
      charted,
      `its request rate (5/s) is charted (rate series ${[...rateIds].join(', ') || 'none'})`,
    );
    const result = JSON.parse(await readFile(file, 'utf8')) as LoadResult;
    assert.equal(server.received, result.summary.started, 'the server counted what the run started');

    const started = series.get('started');
    assert.ok(started && started.size > 0, `client series: ${[...series.keys()].join(', ')}`);
    const first = Math.min(...started.keys());
    assert.equal(started.size, result.timeline.length, 'one point per second of the run');
    for (const s of result.timeline) {
      const at = first + s.second;
      const why = `second ${s.second}`;
      assert.equal(started.get(at), s.started, `${why}: started`);
      assert.equal(series.get('target')?.get(at), s.target, `${why}: target`);
      assert.equal(series.get('p50')?.get(at), s.completed > 0 ? s.p50Ms : undefined, `${why}: p50`);
      assert.equal(series.get('p99')?.get(at), s.completed > 0 ? s.p99Ms : undefined, `${why}: p99`);
      assert.equal(series.get('status 500')?.get(at) ?? 0, s.status['500'] ?? 0, `${why}: 500s`);
      assert.equal(series.get('all errors')?.get(at), s.failed ?? 0, `${why}: errors`);
      assert.equal(series.get('scheduling lag')?.get(at), s.lagMaxMs, `${why}: scheduling lag`);
    }
    const sum = (m: Map<number, number> | undefined) => [...(m?.values() ?? [])].reduce((a, b) => a + b, 0);
    assert.equal(sum(started), result.summary.started);
    assert.equal(sum(series.get('status 500')), result.summary.status['500']);
    assert.ok((result.summary.status['500'] ?? 0) > 0, 'some 500s were sent');
  } finally {
    await server.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('load --dashboard: a bad port is a usage error, and --help loads no dashboard', async () => {
  // What `peaklab load --help` imports, through the start-up test's loader hook.
  const trace = join(await mkdtemp(join(tmpdir(), 'peaklab-load-help-')), 'loads.txt');
  const hook = fileURLToPath(new URL('../testing/trace-loads.js', import.meta.url));
  await promisify(execFile)(process.execPath, ['--import', hook, PEAKLAB_BIN, 'load', '--help'], {
    env: { ...process.env, PEAKLAB_TRACE_LOADS: trace },
  });
  const loaded = (await readFile(trace, 'utf8')).split('\n');
  assert.ok(
    loaded.some((u) => u.includes('/cli/commands/load.js')),
    'the hook saw the command load',
  );
  assert.deepEqual(
    loaded.filter((u) => /\/dashboard\/|load-dashboard/.test(u)),
    [],
    'no dashboard module for --help',
  );
  await rm(dirname(trace), { recursive: true, force: true });

  let err = '';
  const sink = new Writable({
    write(c: Buffer, _e, done) {
      err += c.toString();
      done();
    },
  });
  const code = await main(['node', 'peaklab', 'load', 'http://127.0.0.1:1/', '--dashboard', '70000'], {
    out: new Writable({ write: (_c, _e, d) => d() }),
    err: sink,
    env: {},
  });
  assert.equal(code, 2);
  assert.match(err, /--dashboard "70000": expected a port/);
});
