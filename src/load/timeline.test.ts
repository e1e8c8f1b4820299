import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom as random } from '../shared/seeded-random.js';
import { runLoad } from './mod.js';
import { Recorder } from './recorder.js';
import { startServer } from './testing/server.js';
import { Exchange } from './transport.js';

interface Event {
  at: number;
  run: () => void;
}

test('property: every timestamp, before the start, in the schedule or after its end, maps to a defined second', () => {
  const seed = Date.now() % 1_000_000;
  const rnd = random(seed);
  for (let c = 0; c < 400; c++) {
    const why = `seed ${seed}, case ${c}`;
    // A start instant anywhere on this thread's clock; a schedule of 1 ms to 5 s.
    const t0 = rnd() * 1e7;
    const durationMs = 1 + Math.floor(rnd() * 5000);
    // Offsets from t0: uniform over [-3 s, end + 5 s], plus the edges where rounding bites.
    const edges = [
      -1000,
      -1e-9,
      -0.4,
      0,
      1e-9,
      999.9999999,
      1000,
      durationMs - 1e-9,
      durationMs,
      durationMs + 1e-6,
    ];
    const offset = () =>
      rnd() < 0.3 ? (edges[Math.floor(rnd() * edges.length)] as number) : rnd() * (durationMs + 8000) - 3000;
    const seen: number[] = [];
    const rec = new Recorder(t0, 10, (s) => seen.push(s.second), undefined);
    rec.scheduleEnds(durationMs);
    const events: Event[] = [];
    const inFlight: Exchange[] = [];
    let started = 0;
    let completed = 0;
    let dropped = 0;
    let unfinished = 0;
    let last = t0;
    for (let i = 0; i < 40; i++) {
      // As the engines do: the closed model takes a start's second from the clock, the open model
      // from the schedule; both are floor((t − t0) / 1000), which is −1 just before t0.
      const intended = t0 + offset();
      const x = new Exchange(i, Math.floor((intended - t0) / 1000));
      x.intended = intended;
      x.status = '200';
      x.ok = true;
      const roll = rnd();
      if (roll < 0.15) {
        dropped++;
        events.push({ at: intended, run: () => rec.dropped(x.second, intended) });
        continue;
      }
      x.sent = intended + rnd() * 50;
      started++;
      events.push({ at: x.sent, run: () => rec.sent(x) });
      if (roll < 0.9) {
        completed++;
        const end = x.sent + rnd() * 3000;
        last = Math.max(last, end);
        events.push({ at: end, run: () => rec.completed(x, end) });
      } else {
        unfinished++;
        inFlight.push(x);
      }
    }
    // The recorder sees the clock move forward, as performance.now() does.
    events.sort((a, b) => a.at - b.at);
    for (const e of events) e.run();
    const end = Math.max(last, t0 + offset());
    for (const x of inFlight) rec.unfinished(x, end);
    const part = rec.finish(false);
    for (const [i, s] of part.timeline.entries())
      assert.equal(s.second, i, `${why}: second ${i} is ${s.second}`);
    const sum = (f: (s: (typeof part.timeline)[number]) => number) =>
      part.timeline.reduce((n, s) => n + f(s), 0);
    assert.equal(
      sum((s) => s.started),
      started,
      why,
    );
    assert.equal(
      sum((s) => s.dropped),
      dropped,
      why,
    );
    assert.equal(
      sum((s) => s.completed),
      completed,
      why,
    );
    assert.equal(
      sum((s) => s.unfinished ?? 0),
      unfinished,
      why,
    );
    assert.equal(part.started, started, why);
    assert.equal(part.completed, completed, why);
    // Each second was handed on once, in order, and none is negative.
    assert.deepEqual(
      seen,
      seen.map((_, i) => i),
      why,
    );
    // The schedule's seconds and the drain after them are labelled.
    const scheduleSeconds = Math.ceil(durationMs / 1000);
    for (const [i, s] of part.timeline.entries()) {
      assert.equal(
        s.phase,
        i < scheduleSeconds ? 'schedule' : 'drain',
        `${why}: second ${i} of ${durationMs} ms`,
      );
    }
  }
});

test('--vus 8 --threads 4 --requests 200, five times over: a start just before the shared instant is second 0', async () => {
  const server = await startServer();
  try {
    for (let i = 0; i < 5; i++) {
      const r = await runLoad({ target: `${server.url}/`, vus: 8, threads: 4, requests: 200 });
      assert.equal(r.summary.completed, 200, `run ${i}`);
      assert.equal(r.timeline[0]?.second, 0);
    }
    assert.equal(server.received, 1000);
  } finally {
    await server.close();
  }
});
