import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { parseProfile } from './profile.js';
import { renderJtl } from './report-jtl.js';
import { startServer } from './testing/server.js';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

test('--threads 2: workers share one start, so their seconds line up with each other and the steps', async () => {
  // Request k carries its seq; with 2 threads, worker k % 2 sent it. Arrivals are epoch ms.
  const arrivals = new Map<number, number>();
  const server = await startServer((req, res) => {
    arrivals.set(Number(req.url?.slice(1)), performance.timeOrigin + performance.now());
    res.end('ok');
  });
  const spec = 'steps:20,200,20@1s';
  const jtl = join(mkdtempSync(join(tmpdir(), 'peaklab-threads-')), 'r.jtl');
  try {
    const r = await runLoad({ target: `${server.url}/{{seq}}`, rate: spec, threads: 2, jtl });
    assert.deepEqual(
      r.timeline.slice(0, 3).map((s) => s.started),
      [20, 200, 20],
    );
    assert.equal(arrivals.size, 240);
    // Seen by the server, in seconds from the result's start: each worker follows its half of the
    // steps. A worker starting on its own clock (after its own start-up) shifts its counts.
    const start = Date.parse(r.startedAt);
    for (const worker of [0, 1]) {
      const perSecond = [0, 0, 0, 0];
      for (const [k, at] of arrivals) {
        if (k % 2 !== worker) continue;
        const s = Math.floor((at - start) / 1000);
        assert.ok(s >= 0 && s <= 3, `request ${k} arrived at ${at - start} ms`);
        perSecond[s] = (perSecond[s] ?? 0) + 1;
      }
      const [a, b, c] = perSecond as [number, number, number];
      assert.ok(Math.abs(a - 10) <= 3 && Math.abs(b - 100) <= 5 && Math.abs(c - 10) <= 3, `${perSecond}`);
    }
    // Request k (worker 0) and k+1 (worker 1) are due a known interval apart: their arrivals are
    // too, give or take jitter. The median over all pairs is the offset between the two workers.
    const profile = parseProfile(spec);
    const due: number[] = [];
    for (let k = 0, t = profile.startOf(0, 0); k < 240; k++, t = profile.startOf(k, t)) due.push(t * 1000);
    const skew: number[] = [];
    for (let k = 0; k + 1 < 240; k += 2) {
      const a = arrivals.get(k) as number;
      const b = arrivals.get(k + 1) as number;
      skew.push(b - a - ((due[k + 1] as number) - (due[k] as number)));
    }
    assert.ok(Math.abs(median(skew)) < 4, `workers are ${median(skew).toFixed(1)} ms apart`);
    // Each worker writes its own rows to the one JTL file; a JTL rebuilt from the result names the
    // same threads and counts the same requests and bytes.
    const live = readFileSync(jtl, 'utf8').trimEnd().split('\n').slice(1);
    const rebuilt = renderJtl(r).trimEnd().split('\n').slice(1);
    const threads = (rows: string[]) => new Set(rows.map((l) => l.split(',')[5]));
    const bytes = (rows: string[]) => rows.reduce((n, l) => n + Number(l.split(',')[9]), 0);
    assert.deepEqual(threads(live), new Set(['peaklab 1-2', 'peaklab 2-2']));
    assert.deepEqual(threads(rebuilt), threads(live));
    assert.equal(rebuilt.length, live.length);
    assert.equal(bytes(rebuilt), bytes(live));
    assert.equal(bytes(live), 2 * 240);
  } finally {
    await server.close();
  }
});
