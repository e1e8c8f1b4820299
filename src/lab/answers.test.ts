/**
 * The answers on constructed runs whose every count is known: each test checks the numbers a claim
 * quotes (by their results.json paths) and what the claim rests on, not its wording.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeExperiment } from './analysis.js';
import { assertAnswersQuoteTheRun, claimsOf } from './checks.testing.js';
import { ARRIVALS, SETTINGS, simulate } from './fixtures.testing.js';
import type { Backends, Claim, LabResult } from './types.js';

const EMBEDDED: Backends = { database: 'pglite', queue: 'in-process' };
const REAL: Backends = { database: 'postgres', queue: 'jetstream' };

interface Run {
  backends?: Backends;
  /** What the simulated backend processes per second; `processRps` is what the settings say. */
  capacity?: number;
  processRps?: number;
  cycles?: number;
  tweak?: (q: ReturnType<typeof simulate>) => void;
}

function run({
  backends = EMBEDDED,
  capacity = 50,
  processRps = capacity,
  cycles = 1,
  tweak,
}: Run = {}): LabResult {
  const arrivals = Array.from({ length: cycles }, () => ARRIVALS).flat();
  const shed = simulate('shed', arrivals, 50, 50).rec;
  const sim = simulate('queue', arrivals, 50, capacity);
  tweak?.(sim);
  const settings = { ...SETTINGS, processRps, cycles };
  return analyzeExperiment(settings, backends, { shed, queue: sim.rec }, 'now');
}

/** The claims that quote `path`. */
function quoting(result: LabResult, path: string): Claim[] {
  return claimsOf(result).filter((c) => path in c.figures);
}

/** The one claim that quotes every path given; its figures. */
function figuresOf(result: LabResult, ...paths: string[]): Record<string, number | null> {
  const found = claimsOf(result).filter((c) => paths.every((p) => p in c.figures));
  assert.ok(found.length > 0, `no claim quotes ${paths.join(' and ')}`);
  return (found[0] as Claim).figures;
}

const Q = (key: string) => `modes.queue.summary.${key}`;
const S = (key: string) => `modes.shed.summary.${key}`;

test('every number the answers quote is the run’s own, and every claim says what it rests on', () => {
  const runs = [
    run(),
    run({ backends: REAL }),
    run({ capacity: 40 }),
    run({ capacity: 200 }),
    run({ capacity: 50, processRps: 40, cycles: 2 }),
    run({
      tweak: (sim) => {
        sim.rec.serverLatency = {};
      },
    }),
    run({
      backends: REAL,
      tweak: (sim) => {
        sim.rec.timings = sim.rec.timings.slice(0, 480);
        sim.rec.backlog.readings = sim.rec.backlog.readings.slice(0, 11);
        sim.rec.drained = false;
      },
    }),
  ];
  for (const r of runs) {
    assertAnswersQuoteTheRun(r);
    assert.equal(r.answers.length, 3);
  }
});

test('question 1 quotes both modes’ latency, client side and inside the service', () => {
  const r = run();
  assert.deepEqual(figuresOf(r, S('httpP99Ms'), Q('httpP99Ms')), {
    [S('httpP99Ms')]: 60,
    [Q('httpP99Ms')]: 6,
    [S('httpP50Ms')]: 25,
    [Q('httpP50Ms')]: 3,
    [S('httpMaxMs')]: 80,
    [Q('httpMaxMs')]: 9,
  });
  const server = figuresOf(
    r,
    'modes.shed.serverLatency.200.p99LeMs',
    'modes.queue.serverLatency.200.p99LeMs',
  );
  assert.equal(server['modes.shed.serverLatency.200.p99LeMs'], 60);
  assert.equal(server['modes.queue.serverLatency.200.p99LeMs'], 5);
  assert.equal(server[S('processingMeanMs')], 20);
  const refusals = figuresOf(r, 'modes.shed.serverLatency.500.p99LeMs');
  assert.deepEqual(refusals, {
    'modes.shed.serverLatency.500.p99LeMs': 1,
    'modes.shed.serverLatency.200.p50LeMs': 25,
    [S('rejected')]: 160,
    [S('sent')]: 500,
  });
  const why = quoting(r, 'settings.processRps').filter((c) => c.basis === 'design');
  assert.equal(why.length, 1, 'where each mode sends its 200 is a property of the design, labelled so');
});

test('question 1 quotes the refusals of queue mode when it had some', () => {
  const r = run({
    tweak: (sim) => {
      sim.rec.load.summary = { ...sim.rec.load.summary, ok: 495, status: { '200': 495, '503': 5 } };
    },
  });
  const moved = claimsOf(r).find((c) => Q('e2eP99Ms') in c.figures && Q('rejected') in c.figures);
  assert.equal(moved?.figures[Q('rejected')], 5);
  assert.doesNotMatch(moved?.text ?? '', /no request was refused/);
});

test('question 2 counts acknowledged, processed, queued and lost orders from the rows', () => {
  const missing = (sim: ReturnType<typeof simulate>) => {
    sim.rec.timings = sim.rec.timings.slice(0, 480);
  };
  const embedded = figuresOf(run({ tweak: missing }), Q('acknowledged'), Q('lost'));
  assert.equal(embedded[Q('acknowledged')], 500);
  assert.equal(embedded[Q('processed')], 480);
  assert.equal(embedded[Q('lost')], 20, 'the in-process queue keeps nothing after the stop');
  const inStream = (sim: ReturnType<typeof simulate>) => {
    missing(sim);
    sim.rec.backlog.afterStop = 20;
  };
  const real = figuresOf(run({ backends: REAL, tweak: inStream }), Q('acknowledged'), Q('lost'));
  assert.equal(real[Q('queuedAfterStop')], 20);
  assert.equal(real[Q('lost')], 0, 'still in JetStream: waiting, not lost');
  assert.equal(figuresOf(run(), S('rejected'), S('predictedRejected'))[S('predictedRejected')], 159.2);
});

test('question 2 quotes the backlog as read: its peak, how long orders waited, the drain', () => {
  const r = run();
  assert.deepEqual(figuresOf(r, Q('peakBacklog'), Q('backlogSeconds')), {
    [Q('peakBacklog')]: 160,
    [Q('peakBacklogAtSecond')]: 8,
    [Q('backlogSeconds')]: 9,
    [Q('drainSeconds')]: 5,
    [Q('drainAfterLoadSeconds')]: 3,
  });
  const slower = figuresOf(run({ capacity: 40 }), Q('peakBacklog'), Q('backlogSeconds'));
  assert.equal(slower[Q('peakBacklog')], 210);
  assert.equal(slower[Q('drainAfterLoadSeconds')], 5);
  const none = run({ capacity: 200 });
  assert.equal(figuresOf(none, Q('peakBacklog'))[Q('peakBacklog')], 0);
});

test('the night is measured per cycle; the settings’ prediction is a labelled model, and a disagreement is said', () => {
  // The settings say 40 orders/s, the backend did 50: the model's peaks grow every cycle, the run's do not.
  const r = run({ capacity: 50, processRps: 40, cycles: 2 });
  const P = (i: number) => `${Q('backlogPeaks')}.${i}`;
  const L = (i: number) => `${Q('backlogLows')}.${i}`;
  const night = figuresOf(r, P(0), P(1), L(0), L(1));
  assert.deepEqual([night[P(0)], night[P(1)]], [160, 160], 'no growth');
  assert.deepEqual([night[L(0)], night[L(1)]], [0, 0], 'emptied between the peaks and after the load');
  const predicted = quoting(r, `${Q('predictedBacklogPeaks')}.1`);
  assert.deepEqual(
    predicted.map((c) => c.basis),
    ['model'],
  );
  const peaks = [0, 1].map((i) => predicted[0]?.figures[`${Q('predictedBacklogPeaks')}.${i}`] ?? 0);
  assert.ok((peaks[1] ?? 0) > (peaks[0] ?? 0) + 50, `the model grows by (50 − 40) × 10 s a cycle: ${peaks}`);
  const disagree = figuresOf(r, Q('processedPerSWhileBacklogged'), 'settings.processRps');
  assert.equal(disagree[Q('processedPerSWhileBacklogged')], 50);
  assert.equal(disagree['settings.processRps'], 40);
  for (const c of claimsOf(r)) {
    if (c.basis !== 'model') assert.doesNotMatch(c.text, /never drains|grows? every cycle/, c.text);
  }
  const agree = run({ capacity: 40, cycles: 2 });
  const grew = figuresOf(agree, P(0), P(1));
  assert.ok((grew[P(1)] ?? 0) > (grew[P(0)] ?? 0) + 50, 'a slower backend: the peaks grow');
  assert.equal(
    quoting(agree, Q('processedPerSWhileBacklogged')).length,
    1,
    'only the wait budget: they agree',
  );
});

test('poison orders: the run injected no faults, so the dead-letter path is a labelled design property', () => {
  for (const backends of [EMBEDDED, REAL]) {
    const r = run({ backends });
    const errors = quoting(r, Q('workError')).filter((c) => !(Q('workDone') in c.figures));
    assert.deepEqual(
      errors.map((c) => [c.basis, c.figures[Q('workError')]]),
      [['measured', 0]],
    );
    const deadLetters = claimsOf(r).filter(
      (c) => /dead-lettered/.test(c.text) && !(Q('workError') in c.figures),
    );
    assert.ok(deadLetters.length > 0);
    for (const c of deadLetters) assert.equal(c.basis, 'design', c.text);
  }
});

test('durability is a design property, labelled, and JetStream’s is a crash of the service, not of its machine', () => {
  for (const backends of [EMBEDDED, REAL]) {
    const r = run({ backends });
    const crash = claimsOf(r).filter((c) => /crash/.test(c.text));
    assert.ok(crash.length > 0);
    for (const c of crash) assert.equal(c.basis, 'design', c.text);
    for (const c of claimsOf(r)) assert.doesNotMatch(c.text, /on disk|disk survives/, c.text);
  }
  const real = claimsOf(run({ backends: REAL }));
  assert.ok(real.some((c) => c.basis === 'design' && /sync_interval/.test(c.text)));
  const embedded = figuresOf(run(), Q('peakBacklog'));
  assert.equal(embedded[Q('peakBacklog')], 160);
});

test('an undrained backlog: the answers quote what was left at the last reading', () => {
  const r = run({
    tweak: (sim) => {
      sim.rec.timings = sim.rec.timings.slice(0, 480);
      sim.rec.backlog.readings = sim.rec.backlog.readings.slice(0, 11);
      sim.rec.drained = false;
    },
  });
  const left = figuresOf(r, Q('lost'), Q('backlogAtEnd'));
  assert.equal(left[Q('lost')], 20);
  assert.equal(left[Q('backlogAtEnd')], 105);
  assert.equal(quoting(r, Q('drainSeconds')).length, 0, 'no drain time for a drain that did not happen');
});

test('question 3 lists the collected metrics with this run’s values', () => {
  const r = run();
  const text = claimsOf(r)
    .map((c) => c.text)
    .join('\n');
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
    assert.ok(text.includes(name), `mentions ${name}`);
  }
  assert.deepEqual(figuresOf(r, 'modes.shed.serverStatus.200'), {
    'modes.shed.serverStatus.200': 340,
    'modes.shed.serverStatus.500': 160,
    'modes.queue.serverStatus.200': 500,
    [S('accepted')]: 340,
    [S('rejected')]: 160,
    [Q('accepted')]: 500,
    [Q('rejected')]: 0,
  });
  assert.equal(figuresOf(r, Q('peakQueueDepth'))[Q('peakQueueDepth')], 160);
  assert.equal(figuresOf(r, S('peakHeapMb'))[S('peakHeapMb')], 20);
});

test('question 1 states the server-side p99 as a bucket bound, never an interpolation above the client max', () => {
  // The reported run: client max 203.65 ms, histogram_quantile 243 ms, inside the (100, 250] bucket.
  const shed = simulate('shed', ARRIVALS, 50, 50).rec;
  shed.load.latency = { ...shed.load.latency, maxMs: 203.65 };
  shed.serverLatency['200'] = { count: 340, p50Ms: 30, p99Ms: 243, p50LeMs: 50, p99LeMs: 250 };
  const queue = simulate('queue', ARRIVALS, 50, 50).rec;
  const r = analyzeExperiment(SETTINGS, EMBEDDED, { shed, queue }, 'now');
  assertAnswersQuoteTheRun(r);
  const text = claimsOf(r)
    .map((c) => c.text)
    .join('\n');
  assert.doesNotMatch(text, /243/, 'an interpolated quantile is not a measurement');
  const inside = claimsOf(r).find((c) => /Inside the service/.test(c.text));
  assert.ok(inside);
  assert.match(inside.text, /p99 ≤ 250(\.0)?ms/);
  assert.match(inside.text, /histogram buckets/);
  assert.match(inside.text, /past the slowest response the client measured \(204ms\)/);
});

test('question 3 quotes the metrics this run scraped and suggests only what the service did not export', () => {
  const NAMES = [
    'http_requests_total',
    'jetstream_consumer_redelivered_messages',
    'jetstream_stream_bytes',
    'jetstream_stream_messages',
    'orders_dlq_depth',
    'orders_queue_depth',
    'orders_queue_oldest_age_seconds',
  ];
  const r = run({
    backends: REAL,
    tweak: (sim) => {
      sim.rec.metricNames = NAMES;
      sim.rec.scrapes.forEach((s, i) => {
        if (!s.metrics) return;
        s.metrics.extra = {
          orders_queue_oldest_age_seconds: i === 5 ? 3.5 : 0.2,
          orders_dlq_depth: 0,
          jetstream_consumer_redelivered_messages: i === 6 ? 4 : 0,
          jetstream_stream_bytes: 2048 * i,
        };
      });
    },
  });
  assertAnswersQuoteTheRun(r);
  const q3 = r.answers[2];
  assert.ok(q3);
  const items = (q3.items ?? []).map((c) => c.text).join('\n');
  assert.match(items, /orders_queue_oldest_age_seconds peaked at [^;]* and 3\.5 s \(queue\)/);
  assert.equal(
    figuresOf(r, 'modes.queue.exported.peaks.jetstream_consumer_redelivered_messages')[
      'modes.queue.exported.peaks.jetstream_consumer_redelivered_messages'
    ],
    4,
  );
  const suggestions = (q3.items ?? [])
    .filter((c) => /Worth adding|Not collected/.test(c.text))
    .map((c) => c.text)
    .join('\n');
  for (const already of [/oldest waiting order/, /num_redelivered/, /stream's bytes/, /dead-letter/]) {
    assert.doesNotMatch(suggestions, already, 'suggested a metric the run scraped');
  }
  assert.match(suggestions, /publish-ack latency/, 'what is truly absent is still suggested');

  const bare = run({
    backends: REAL,
    tweak: (sim) => {
      sim.rec.metricNames = ['http_requests_total', 'orders_queue_depth'];
    },
  });
  const bareItems = (bare.answers[2]?.items ?? []).map((c) => c.text).join('\n');
  assert.match(bareItems, /Worth adding.*oldest waiting order/);
});
