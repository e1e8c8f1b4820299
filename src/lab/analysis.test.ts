import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeExperiment, analyzeMode } from './analysis.js';
import { ARRIVALS, SETTINGS, simulate } from './fixtures.testing.js';
import { backlogOf } from './summary.js';
import { buildTimeline } from './timeline.js';

test('shed mode: the summary counts what was sent, accepted, refused and processed', () => {
  const sim = simulate('shed', ARRIVALS, 50, 50);
  const { summary } = analyzeMode(sim.rec, SETTINGS, 12);
  assert.equal(summary.sent, 500);
  assert.equal(summary.accepted, 340);
  assert.equal(summary.rejected, 160);
  assert.equal(summary.processed, 340);
  assert.equal(summary.rows, 340);
  assert.equal(summary.lost, 0);
  assert.equal(summary.peakBacklog, 0);
  assert.equal(summary.workDone, 340);
  assert.equal(summary.workError, 160);
  assert.equal(summary.httpP99Ms, 60);
  assert.equal(summary.e2eP99Ms, 20, 'shed processes inline: 20 ms each');
  // The integral of the sine (period 10 s, 0..100, limit 50) is 50·10/π ≈ 159.2.
  assert.ok(Math.abs((summary.predictedRejected ?? 0) - 159.2) < 0.1, String(summary.predictedRejected));
});

test('queue mode: nothing refused, the backlog peaks and drains, processed equals accepted', () => {
  const sim = simulate('queue', ARRIVALS, 50, 50);
  const { summary, timeline } = analyzeMode(sim.rec, SETTINGS, 14);
  assert.equal(summary.rejected, 0);
  assert.equal(summary.accepted, 500);
  assert.equal(summary.processed, 500);
  assert.equal(summary.lost, 0);
  assert.equal(summary.peakBacklog, 160);
  assert.equal(summary.peakBacklogAtSecond, 8);
  assert.equal(summary.drainSeconds, 5, 'from the peak (end of second 7) to empty (end of second 12)');
  assert.equal(summary.drainAfterLoadSeconds, 3);
  assert.equal(summary.predictedRejected, null, 'queue mode sheds nothing: no prediction to make');
  assert.ok((summary.e2eMaxMs ?? 0) > 3000, `the last of the peak waited seconds, got ${summary.e2eMaxMs}`);
  assert.equal(timeline.length, 14);
  assert.equal(timeline[7]?.queueDepth, 160, 'a gauge reads at the end of its second');
  assert.equal(timeline[11]?.workDone, 50, 'a counter reads as its delta over the second');
  assert.equal(timeline[12]?.processed, 5);
});

test('an accepted order without processed_at is lost; a missing row is lost too', () => {
  const sim = simulate('queue', ARRIVALS, 50, 50);
  const rec = { ...sim.rec, timings: sim.rec.timings.slice(0, 490) };
  const last = rec.timings[489];
  if (last) rec.timings[489] = { ...last, processedAt: null };
  const { summary } = analyzeMode(rec, SETTINGS, 14);
  assert.equal(summary.rows, 490);
  assert.equal(summary.processed, 489);
  assert.equal(summary.lost, 11);
});

test('a failed scrape is a gap in the timeline, and a counter reset is not a negative rate', () => {
  const sim = simulate('queue', ARRIVALS, 50, 50);
  const scrapes = sim.rec.scrapes.map((s) => ({ ...s }));
  scrapes[5] = { atMs: scrapes[5]?.atMs ?? 5003, metrics: null };
  const m9 = scrapes[9]?.metrics;
  if (m9) scrapes[9] = { atMs: 9003, metrics: { ...m9, workDone: 0 } };
  const rows = buildTimeline({ ...sim.rec, scrapes }, 14);
  assert.equal(rows[4]?.workDone, null, 'no end-of-second sample');
  assert.equal(rows[5]?.workDone, null, 'no start-of-second sample');
  assert.equal(rows[8]?.workDone, null, 'the counter went down: a restart, no delta');
  assert.notEqual(rows[6]?.workDone, null);
});

test('a backlog that never empties has no drain time; shed mode has no queue to drain', () => {
  const sim = simulate('queue', ARRIVALS, 50, 50);
  const readings = sim.rec.backlog.readings.slice(0, 11);
  const cut = { ...sim.rec, backlog: { ...sim.rec.backlog, readings }, drained: false };
  assert.equal(backlogOf(cut, SETTINGS).drainSeconds, null);
  assert.equal(
    backlogOf({ ...cut, drained: true }, SETTINGS).drainSeconds,
    null,
    'the readings never confirmed it',
  );
  const shed = simulate('shed', ARRIVALS, 50, 50);
  assert.deepEqual(backlogOf(shed.rec, SETTINGS), {
    peak: 0,
    peakAtSecond: null,
    drainSeconds: null,
    drainAfterLoadSeconds: null,
  });
});

test('both modes share one time axis, and results keep every setting but the URLs', () => {
  const shed = simulate('shed', ARRIVALS, 50, 50).rec;
  const queue = simulate('queue', ARRIVALS, 50, 50).rec;
  const settings = {
    ...SETTINGS,
    databaseUrl: 'postgres://secret@127.0.0.1/x',
    natsUrl: 'nats://127.0.0.1:4222',
  };
  const result = analyzeExperiment(
    settings,
    { database: 'postgres', queue: 'jetstream' },
    { shed, queue },
    'now',
  );
  assert.equal(result.modes.shed.timeline.length, result.modes.queue.timeline.length);
  assert.ok(result.modes.shed.timeline.length >= 13);
  assert.equal(JSON.stringify(result).includes('secret'), false, 'no credentials in results.json');
  assert.equal(result.settings.rpsLimit, 50);
  assert.equal(result.answers.length, 3);
});

test('the drain is timed from the last cycle’s peak, when the queue did not empty between peaks', () => {
  const sim = simulate('queue', ARRIVALS, 50, 50);
  // A first peak of 150, a dip that never empties, a second peak of 120, then the drain to 0 at 10 s.
  const depths = [0, 50, 150, 100, 40, 60, 80, 120, 60, 10, 0, 0];
  const readings = depths.map((depth, k) => ({ atMs: k * 1000, depth }));
  // Two cycles of 4 s: the second one's peak is 120 at 7 s, though the queue never emptied in between.
  const b = backlogOf(
    { ...sim.rec, backlog: { ...sim.rec.backlog, readings }, loadEndMs: 8000 },
    { periodMs: 4000, cycles: 2 },
  );
  assert.equal(b.peak, 150);
  assert.equal(b.peakAtSecond, 2);
  assert.equal(b.drainSeconds, 3, 'from the last cycle’s peak (7 s) to empty (10 s), not from the highest');
  assert.equal(b.drainAfterLoadSeconds, 2);
});

test('the service’s own metrics are kept per second: responses by status, end-to-end mean and heap', () => {
  const shed = buildTimeline(simulate('shed', ARRIVALS, 50, 50).rec, 12);
  assert.deepEqual(
    shed[5]?.serverStatus,
    { '200': 50, '500': 50 },
    'a peak second, as the service counted it',
  );
  assert.deepEqual(shed[0]?.serverStatus, {}, 'a quiet second: nothing, not a gap');
  assert.equal(shed[5]?.serverE2eMeanMs, 20, 'shed processes inline: 20 ms each');
  assert.equal(shed[5]?.heapMb, 20);
  assert.equal(shed[11]?.serverStatus, null, 'no scrape closes second 11');

  const sim = simulate('queue', ARRIVALS, 50, 50);
  const queue = buildTimeline(sim.rec, 14);
  assert.deepEqual(queue[5]?.serverStatus, { '200': 100 });
  // The service's histogram mean and the rows' timestamps describe the same orders.
  const rows = sim.rec.timings.filter(
    (t) => t.processedAt !== null && t.processedAt - 1_700_000_000_000 >= 11_000,
  );
  const inSecond11 = rows.filter((t) => (t.processedAt as number) - 1_700_000_000_000 < 12_000);
  const mean =
    inSecond11.reduce((a, t) => a + ((t.processedAt as number) - t.acceptedAt), 0) / inSecond11.length;
  assert.ok(
    Math.abs((queue[11]?.serverE2eMeanMs ?? 0) - mean) < 0.01,
    `${queue[11]?.serverE2eMeanMs} vs ${mean}`,
  );
  assert.ok((queue[11]?.serverE2eMeanMs ?? 0) > 2000, 'the last of the peak waited seconds');

  const scrapes = sim.rec.scrapes.map((s) => ({ ...s }));
  const m7 = scrapes[7]?.metrics;
  if (m7) scrapes[7] = { atMs: 7003, metrics: { ...m7, httpByStatus: { '200': 1 } } };
  assert.equal(buildTimeline({ ...sim.rec, scrapes }, 14)[6]?.serverStatus, null, 'a reset: no delta');
});

test('the summary says whether the backlog drained and what was left', () => {
  const sim = simulate('queue', ARRIVALS, 50, 50);
  assert.equal(analyzeMode(sim.rec, SETTINGS, 14).summary.drained, true);
  assert.equal(analyzeMode(sim.rec, SETTINGS, 14).summary.backlogAtEnd, 0);
  const readings = sim.rec.backlog.readings.slice(0, 11);
  const cut = analyzeMode(
    { ...sim.rec, backlog: { ...sim.rec.backlog, readings }, drained: false },
    SETTINGS,
    14,
  );
  assert.equal(cut.summary.drained, false);
  assert.equal(cut.summary.backlogAtEnd, 105);
  assert.equal(cut.summary.drainSeconds, null);
  assert.deepEqual(analyzeMode(sim.rec, SETTINGS, 14).serverStatus, { '200': 500, '500': 0 });
});

test('the drain is timed from the zeros that confirmed it, not from an early zero', () => {
  const sim = simulate('queue', ARRIVALS, 50, 50);
  // A zero 0.2 s after the load (a stale sample), then the backlog, then empty from 12.2 s on.
  const after = [
    [10_200, 0],
    [10_700, 40],
    [11_200, 30],
    [11_700, 10],
    [12_200, 0],
    [12_700, 0],
  ] as const;
  const m = sim.rec.scrapes[0]?.metrics;
  const early = sim.rec.scrapes.filter((s) => s.atMs < 10_000);
  const scrapes = [
    ...early,
    ...after.map(([atMs, queueDepth]) => ({ atMs, metrics: m ? { ...m, queueDepth } : null })),
  ];
  const readings = [
    ...sim.rec.backlog.readings.filter((r) => r.atMs < 10_000),
    ...after.map(([atMs, depth]) => ({ atMs, depth })),
  ];
  const rec = { ...sim.rec, scrapes, backlog: { ...sim.rec.backlog, readings }, watchEndMs: 12_700 };
  const b = backlogOf(rec, SETTINGS);
  assert.equal(b.drainAfterLoadSeconds, 2.2);
  assert.equal(b.drainSeconds, 4.2, 'from the peak of the cycle (8 s) to the confirmed empty queue (12.2 s)');
});

test('lost counts the service’s own acknowledgements against the rows, and not what a durable queue still holds', () => {
  const sim = simulate('queue', ARRIVALS, 50, 50);
  // The service answered 500 orders with 200; 5 of those answers never reached the client (timeouts),
  // and 5 orders have no row.
  const summary = {
    ...sim.rec.load.summary,
    ok: 495,
    failed: 5,
    status: { '200': 495 },
    errors: { timeout: 5 },
  };
  const rec = { ...sim.rec, load: { ...sim.rec.load, summary }, timings: sim.rec.timings.slice(0, 495) };
  const lost = analyzeMode(rec, SETTINGS, 14).summary;
  assert.equal(lost.accepted, 495);
  assert.equal(lost.acknowledged, 500);
  assert.equal(lost.lost, 5);
  const queued = analyzeMode({ ...rec, backlog: { ...rec.backlog, afterStop: 5 } }, SETTINGS, 14).summary;
  assert.equal(queued.queuedAfterStop, 5);
  assert.equal(queued.lost, 0, 'still in JetStream after the stop: waiting, not lost');
});
