import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeMode } from './analysis.js';
import { answerQuestions } from './answers.js';
import { ARRIVALS, latency, SETTINGS, simulate } from './fixtures.testing.js';
import type { Answer, Backends } from './types.js';

const EMBEDDED: Backends = { database: 'pglite', queue: 'in-process' };
const REAL: Backends = { database: 'postgres', queue: 'jetstream' };

function answers(backends: Backends, tweak?: (q: ReturnType<typeof simulate>) => void): Answer[] {
  const shed = analyzeMode(simulate('shed', ARRIVALS, 50, 50).rec, SETTINGS, 14);
  const sim = simulate('queue', ARRIVALS, 50, 50);
  tweak?.(sim);
  const queue = analyzeMode(sim.rec, SETTINGS, 14);
  return answerQuestions({ settings: SETTINGS, backends, shed, queue });
}

function text(a: Answer | undefined): string {
  return [...(a?.paragraphs ?? []), ...(a?.items ?? [])].join('\n');
}

test('question 1 quotes both modes’ HTTP latency and explains where the work went', () => {
  const [q1] = answers(EMBEDDED);
  const t = text(q1);
  assert.match(q1?.question ?? '', /latency/);
  assert.match(t, /HTTP p99 fell: 60\.0ms in shed mode, 6\.00ms in queue mode/);
  assert.match(t, /accepted orders p99 55\.0ms, refusals p99 1\.00ms/, 'the server-side split per status');
  assert.match(t, /in-process queue/);
  assert.match(t, /up to 160 orders waited/, 'the peak backlog of this run');
});

test('question 1 follows the numbers: a slower queue mode is reported as a rise, with its reason', () => {
  const [q1] = answers(REAL, (sim) => {
    sim.rec.load.latency = latency(70, 180, 250);
  });
  const t = text(q1);
  assert.match(t, /HTTP p99 rose: 60\.0ms in shed mode, 180ms in queue mode \(3\.0×\)/);
  assert.match(t, /JetStream has acknowledged the publish/);
  assert.match(t, /a JetStream round trip/);
});

test('question 2 counts this run, and the guarantee depends on the backend that held the backlog', () => {
  const [, embedded] = answers(EMBEDDED);
  const e = text(embedded);
  assert.match(e, /Shed mode refused 160 orders of 500 sent \(32%; .* predicted 159\)/);
  assert.match(e, /Queue mode accepted 500 orders, refused 0, and processed 500: none was lost/);
  assert.match(e, /would have lost up to 160 accepted orders \(the peak backlog\)/);
  assert.match(e, /So no, not with this backend/);

  const [, real] = answers(REAL);
  const r = text(real);
  assert.match(r, /the backlog \(at most 160 orders here\) was on disk/);
  assert.doesNotMatch(r, /would have lost up to/);
  assert.match(r, /Postgres/);
});

test('question 2 reports losses and an undrained backlog when the run had them', () => {
  const [, q2] = answers(EMBEDDED, (sim) => {
    sim.rec.timings = sim.rec.timings.slice(0, 480);
    sim.rec.scrapes = sim.rec.scrapes.slice(0, 11);
  });
  const t = text(q2);
  assert.match(t, /20 accepted orders never processed/);
  assert.match(t, /This run shows it: 20 accepted but unprocessed/);
  assert.match(t, /the backlog had not drained/);
});

test('question 3 lists the collected metrics with this run’s values', () => {
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
    'nodejs_eventloop_lag_p99_seconds',
  ]) {
    assert.ok(t.includes(name), `mentions ${name}`);
  }
  assert.match(t, /340 done \/ 160 error in shed mode/);
  assert.match(t, /peak 160 in queue mode, drained 5 s after the peak/);
  assert.match(t, /num_pending/);
});
