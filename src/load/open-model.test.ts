import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { startServer } from './testing/server.js';
import type { SecondStats } from './types.js';

function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - ma;
    const y = (b[i] as number) - mb;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  return num / Math.sqrt(da * db);
}

test('constant:200 for 5s starts 1000 requests ± 1%, and the server receives them', async () => {
  const server = await startServer();
  try {
    const seconds: SecondStats[] = [];
    const r = await runLoad(
      { target: `${server.url}/x`, rate: 'constant:200', durationMs: 5000 },
      { onSecond: (s) => seconds.push(s) },
    );
    assert.ok(Math.abs(r.summary.started - 1000) <= 10, `started ${r.summary.started}`);
    // The schedule itself is exact: the k-th start is at k/200 s, for every k/200 < 5.
    assert.equal(r.summary.scheduled, 1000);
    assert.equal(server.received, r.summary.started);
    assert.equal(r.summary.ok, r.summary.completed);
    assert.equal(r.summary.completed, r.summary.started);
    assert.equal(r.latency.count, r.summary.completed);
    assert.ok(
      r.summary.durationMs >= 4990 && r.summary.durationMs < 5500,
      `duration ${r.summary.durationMs}`,
    );
    // The per-second hook saw every second of the run, in order, with the profile's target.
    assert.deepEqual(
      seconds.slice(0, 5).map((s) => s.second),
      [0, 1, 2, 3, 4],
    );
    assert.ok(seconds.slice(0, 5).every((s) => Math.abs(s.target - 200) < 1e-6));
    assert.equal(r.schema, 'peaklab.load-result/v1');
    assert.equal(r.settings.model, 'open');
  } finally {
    await server.close();
  }
});

test('sine:0..100@20s over 20s starts 1000 ± 3%, per second correlated > 0.98 with the sine', async () => {
  const server = await startServer();
  try {
    const r = await runLoad({ target: `${server.url}/x`, rate: 'sine:0..100@20s', durationMs: 20_000 });
    assert.ok(Math.abs(r.summary.started - 1000) <= 30, `started ${r.summary.started}`);
    assert.equal(server.received, r.summary.started);
    const run = r.timeline.slice(0, 20);
    const started = run.map((s) => s.started);
    const sine = run.map((s) => 50 - 50 * Math.cos((2 * Math.PI * (s.second + 0.5)) / 20));
    const c = correlation(started, sine);
    assert.ok(c > 0.98, `correlation ${c}: ${started.join(',')}`);
    // The target column is the profile's own integral over each second.
    assert.ok(Math.abs(run.reduce((n, s) => n + s.target, 0) - 1000) < 1e-6);
  } finally {
    await server.close();
  }
});
