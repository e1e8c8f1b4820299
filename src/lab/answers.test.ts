import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeMode } from './analysis.js';
import { answerQuestions } from './answers.js';
import { ARRIVALS, latency, SETTINGS, simulate } from './fixtures.testing.js';
import type { Answer, Backends } from './types.js';

const EMBEDDED: Backends = { database: 'pglite', queue: 'in-process' };
const REAL: Backends = { database: 'postgres', queue: 'jetstream' };

function answers(
  backends: Backends,
  tweak?: (q: ReturnType<typeof simulate>) => void,
  capacity = 50,
): Answer[] {
  const shed = analyzeMode(simulate('shed', ARRIVALS, 50, 50).rec, SETTINGS, 14);
  const sim = simulate('queue', ARRIVALS, 50, capacity);
  tweak?.(sim);
  const queue = analyzeMode(sim.rec, SETTINGS, 16);
  return answerQuestions({ settings: { ...SETTINGS, processRps: capacity }, backends, shed, queue });
}

function text(a: Answer | undefined): string {
  return [...(a?.paragraphs ?? []), ...(a?.items ?? [])].join('\n');
}

test('question 1 quotes both modes’ HTTP latency and explains where the work went', () => {
  const [q1] = answers(EMBEDDED);
  const t = text(q1);
  assert.match(q1?.question ?? '', /latency/);
  assert.match(t, /HTTP p99 fell: 60\.0ms in shed mode, 6\.00ms in queue mode/);
  assert.match(t, /in-memory enqueue/);
  assert.match(t, /up to 160 orders waited/, 'the peak backlog of this run');
});

test('question 1 "why": the server-side latency of 200s fell, so the work left the request path', () => {
  const t = text(answers(EMBEDDED)[0]);
  assert.match(
    t,
    /an accepted order took p50 22\.0ms \/ p99 55\.0ms in shed mode and p50 1\.00ms \/ p99 4\.00ms in queue mode \(13\.8× lower\)/,
  );
  assert.match(t, /That drop is the work leaving the request path/);
  assert.match(t, /The work itself \(orders_processing_seconds\) averaged 20\.0ms per order/);
  assert.match(t, /refusals took p99 1\.00ms inside the service: an immediate 500 for 32%/);
});

test('question 1 "why" follows the server-side numbers: about the same, or a rise', () => {
  const same = text(
    answers(EMBEDDED, (sim) => {
      sim.rec.serverLatency = { '200': { count: 500, p50Ms: 20, p99Ms: 50 } };
    })[0],
  );
  assert.match(same, /Why it barely changed: .* p99 50\.0ms in queue mode/);
  assert.doesNotMatch(same, /That drop is the work/);

  const rose = text(
    answers(REAL, (sim) => {
      sim.rec.serverLatency = { '200': { count: 500, p50Ms: 90, p99Ms: 140 } };
    })[0],
  );
  assert.match(rose, /p99 140ms in queue mode \(2\.5×\)/);
  assert.match(rose, /Here the JetStream publish-ack took longer than the work did/);

  const none = text(
    answers(EMBEDDED, (sim) => {
      sim.rec.serverLatency = {};
    })[0],
  );
  assert.match(none, /no server-side latency of accepted orders for queue mode/);
});

test('question 1 follows the client-side numbers: a slower queue mode is reported as a rise, with its reason', () => {
  const [q1] = answers(REAL, (sim) => {
    sim.rec.load.latency = latency(70, 180, 250);
  });
  const t = text(q1);
  assert.match(t, /HTTP p99 rose: 60\.0ms in shed mode, 180ms in queue mode \(3\.0×\)/);
  assert.match(t, /a JetStream round trip/);
});

test('question 2 counts this run, and the guarantee depends on the backend that held the backlog', () => {
  const [, embedded] = answers(EMBEDDED);
  const e = text(embedded);
  assert.match(e, /Shed mode refused 160 orders of 500 sent \(32%; .* predicted 159\)/);
  assert.match(e, /Queue mode accepted 500 orders, refused 0, and processed 500: none was lost/);
  assert.match(e, /160 accepted orders waiting at the peak \(around second 8\)/);
  assert.match(e, /waiting in memory for 9 s of it: a crash at the peak would have lost those 160/);
  assert.match(e, /empty again 5 s after the last peak \(3 s after the load ended\)/);
  assert.match(e, /So no, not with this backend/);

  const [, real] = answers(REAL);
  const r = text(real);
  assert.match(r, /the 160 accepted orders waiting at the peak \(around second 8\) were on disk/);
  assert.match(r, /Orders waited in the stream for 9 s of this run/);
  assert.doesNotMatch(r, /would have lost those/);
  assert.match(r, /Postgres/);
});

test('question 2 durability moves with the numbers: a slower backend holds more, longer', () => {
  const t = text(answers(EMBEDDED, undefined, 40)[1]);
  assert.match(t, /210 accepted orders waiting at the peak/);
  assert.match(t, /waiting in memory for 11 s of it: a crash at the peak would have lost those 210/);
  assert.match(t, /empty again 7 s after the last peak \(5 s after the load ended\)/);
  assert.doesNotMatch(t, /lost those 160/);

  const never = text(answers(EMBEDDED, undefined, 200)[1]);
  assert.match(never, /The backlog never built up \(peak 0\)/);
  assert.doesNotMatch(never, /So no, not with this backend/);
});

test('question 2 reports losses and an undrained backlog when the run had them', () => {
  const [, q2] = answers(EMBEDDED, (sim) => {
    sim.rec.timings = sim.rec.timings.slice(0, 480);
    sim.rec.scrapes = sim.rec.scrapes.slice(0, 11);
    sim.rec.backlog.readings = sim.rec.backlog.readings.slice(0, 11);
    sim.rec.drained = false;
  });
  const t = text(q2);
  assert.match(t, /20 accepted orders never processed/);
  assert.match(
    t,
    /This run shows it: 20 accepted but unprocessed, 0 refused in queue mode, and the watch ended/,
  );
  assert.match(t, /had not drained when the watch ended: 105 orders still waiting after 20\.00s of watching/);
});

test('question 3 lists the collected metrics with this run’s values and where results.json keeps them', () => {
  const [, , q3] = answers(EMBEDDED);
  const t = text(q3);
  for (const name of [
    'http_requests_total',
    'http_request_duration_seconds',
    'work_done_total',
    'orders_queue_depth',
    'orders_inflight',
    'orders_end_to_end_seconds',
    'orders_processing_seconds',
    'process_cpu_seconds_total',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_p99_seconds',
  ]) {
    assert.ok(t.includes(name), `mentions ${name}`);
  }
  assert.match(t, /Shed: 340 × 200, 160 × 500; queue: 500 × 200/, 'the service’s own status counts');
  assert.match(t, /340 done \/ 160 error in shed mode/);
  assert.match(t, /peak 160 in queue mode, drained 5 s after the peak/);
  assert.match(t, /heap 20 \/ 20 MB/);
  assert.match(t, /timeline\.serverE2eMeanMs/);
  assert.match(t, /num_pending/);
});
