import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { parseProfile } from './profile.js';
import { assertAccounting } from './testing/accounting.js';
import { startServer } from './testing/server.js';

/**
 * The open model's schedule is the profile's integral, end to end: a zero rate sends nothing (not
 * one request at t=0), a step's second gets exactly its rate × 1 s, and the server that counts for
 * itself agrees. The runs share one server and run side by side, so the file takes ~3 s.
 */
const cases: [string, number, number[]][] = [
  ['constant:0', 2, [0, 0]],
  ['steps:0,10@1s', 2, [0, 10]],
  ['steps:10,0,10@1s', 3, [10, 0, 10]],
  ['ramp:0..20', 2, [5, 15]],
];

test('zero rates start nothing; every second starts round(integral) requests', async () => {
  const servers = await Promise.all(cases.map(() => startServer()));
  try {
    await Promise.all(
      cases.map(async ([rate, d, perSecond], i) => {
        const server = servers[i]!;
        const r = await runLoad({ target: `${server.url}/`, rate, durationMs: d * 1000 });
        const integral = parseProfile(rate, d).integral(d);
        const why = `${rate} for ${d}s`;
        assertAccounting(r, why);
        assert.equal(r.summary.scheduled, Math.round(integral), `${why}: scheduled vs integral ${integral}`);
        assert.equal(r.summary.started, Math.round(integral), why);
        assert.equal(server.received, r.summary.started, `${why}: the server counts what was started`);
        const started = perSecond.map(
          (_, s) => r.timeline.find((x) => x.second === s && x.phase !== 'drain')?.started ?? 0,
        );
        assert.deepEqual(started, perSecond, `${why}: starts per second`);
        for (const x of r.timeline) {
          if (x.phase === 'drain') continue;
          assert.equal(x.started, Math.round(x.target), `${why}: second ${x.second} started vs target`);
        }
      }),
    );
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});
