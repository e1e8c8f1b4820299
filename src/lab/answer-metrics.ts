import {
  type AnswerInput,
  at,
  type Fragment,
  frag,
  joined,
  measured,
  method,
  n,
  s,
  serverBound,
  t,
} from './answer-context.js';
import type { Answer, Claim, ModeAnalysis } from './types.js';

export const METRICS_QUESTION = '3. What other metrics can we collect from the queue and the service?';

/** "340 × 200, 160 × 500": the service's status counts, each a quoted figure. */
function statuses(m: ModeAnalysis): Fragment {
  const entries = Object.entries(m.serverStatus)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return frag`none`;
  return joined(
    entries.map(([status, count]) =>
      at(`modes.${m.mode}.serverStatus.${status}`, count, (v) => `${v.toLocaleString('en-US')} × ${status}`),
    ),
  );
}

const whole = (v: number) => v.toFixed(0);
const mb = (v: number) => `${v.toFixed(0)} MB`;
const percent = (v: number) => `${v.toFixed(0)}%`;

/** The backlog item: where it was read from, its peak, and its drain or what it left. */
function backlogItem({ queue }: AnswerInput): Claim {
  const q = queue.summary;
  const end = q.drained
    ? frag`drained ${s(queue, 'drainSeconds')} after its last peak`
    : q.backlogAtEnd === null
      ? frag`no reading succeeded`
      : frag`${n(queue, 'backlogAtEnd')} still waiting when the watch ended`;
  const stream =
    q.queuedAfterStop === null ? frag`` : frag`; ${n(queue, 'queuedAfterStop')} in the stream after the stop`;
  return measured`The backlog (timeline.backlog): ${queue.backlogSource}, read by the lab every 0.5 s; it decides when queue mode has drained (0 twice in a row, at least 1 s after the load). Peak ${n(queue, 'peakBacklog')} in queue mode, ${end}${stream}.`;
}

/** What was collected, with this run's values, each measured. */
function collected(input: AnswerInput): Claim[] {
  const { shed, queue } = input;
  return [
    measured`http_requests_total{method,route,status} (timeline.serverStatus, serverStatus): responses by status as the service counted them, the seed's graph. Shed: ${statuses(shed)}; queue: ${statuses(queue)} (the load generator saw ${n(shed, 'accepted')} / ${n(shed, 'rejected')} and ${n(queue, 'accepted')} / ${n(queue, 'rejected')} accepted / refused).`,
    measured`http_request_duration_seconds (serverLatency): the server's own latency per status, without the client's queueing (accepted orders p99 ${serverBound(shed, '200', 'p99LeMs')} in shed mode, ${serverBound(queue, '200', 'p99LeMs')} in queue mode, bucket upper bounds).`,
    measured`work_done_total{status} (timeline.workDone / workError): the seed's Work Done counter: ${n(shed, 'workDone')} done / ${n(shed, 'workError')} error in shed mode, ${n(queue, 'workDone')} done / ${n(queue, 'workError')} error in queue mode (the service counts a refusal as an error in shed mode, a failed attempt or a dead letter in queue mode).`,
    backlogItem(input),
    measured`orders_queue_depth (timeline.queueDepth): the service's own gauge of waiting plus in-flight orders, scraped every second: peak ${n(queue, 'peakQueueDepth')} in queue mode, against ${n(queue, 'peakBacklog')} for the backlog read every 0.5 s.`,
    measured`orders_inflight (timeline.inflight): orders being worked on, how busy the worker pool is: peak ${n(shed, 'peakInflight')} in shed mode, ${n(queue, 'peakInflight')} in queue mode, at the scrapes.`,
    measured`orders_end_to_end_seconds (timeline.serverE2eMeanMs): accepted → processed as the service measured it each second; next to it, the rows' own timestamps (timeline.e2eP50Ms / e2eP99Ms: p99 ${t(shed, 'e2eP99Ms')} in shed mode, ${t(queue, 'e2eP99Ms')} in queue mode).`,
    measured`orders_processing_seconds (summary.processingMeanMs): the time of the work itself, so a slow backend shows apart from a long queue: mean ${t(shed, 'processingMeanMs')} per order in shed mode, ${t(queue, 'processingMeanMs')} in queue mode.`,
    measured`process_cpu_seconds_total, process_resident_memory_bytes, nodejs_heap_size_used_bytes, nodejs_eventloop_lag_p99_seconds (timeline.cpuPercent, rssMb, heapMb, eventLoopLagP99Ms): the service's cost. CPU peaked at ${n(shed, 'peakCpuPercent', percent)} (shed) and ${n(queue, 'peakCpuPercent', percent)} (queue) of one core, memory at ${n(shed, 'peakRssMb', mb)} / ${n(queue, 'peakRssMb', mb)} (heap ${n(shed, 'peakHeapMb', whole)} / ${n(queue, 'peakHeapMb', mb)}), event-loop lag p99 at ${t(shed, 'peakEventLoopLagMs')} / ${t(queue, 'peakEventLoopLagMs')}.`,
    measured`From the load generator (timeline.target, started, status, httpP50Ms / httpP99Ms): target against achieved rate, requests dropped (${n(shed, 'dropped')} / ${n(queue, 'dropped')}), and latency from the intended start (free of coordinated omission) and from the actual send (service-time p99 ${t(shed, 'serviceTimeP99Ms')} / ${t(queue, 'serviceTimeP99Ms')}).`,
  ];
}

/**
 * Question 3: what peaklab collected in this run, where results.json keeps it (`timeline` per second,
 * `summary` per mode), what each showed, and what to add next.
 */
export function answerMetrics(input: AnswerInput): Answer {
  return {
    question: METRICS_QUESTION,
    paragraphs: [
      method`peaklab scraped these from the service every second, and read the backlog every 0.5 s; results.json keeps each one per mode, under the field named in brackets (timeline: one value per second; summary: the whole mode):`,
    ],
    items: [...collected(input), ...alsoExported(input), ...worthAdding(input)],
  };
}

/** What the answer would suggest, with the metric that already covers it (null: none exists yet). */
const CANDIDATES: readonly { what: string; metric: string | RegExp; jetstream?: boolean }[] = [
  {
    what: 'the age of the oldest waiting order (a backlog in seconds, the number an SLA is written in)',
    metric: 'orders_queue_oldest_age_seconds',
  },
  { what: 'the size of the dead-letter queue', metric: 'orders_dlq_depth' },
  {
    what: "the consumer's num_redelivered (retries)",
    metric: 'jetstream_consumer_redelivered_messages',
    jetstream: true,
  },
  { what: "the stream's bytes", metric: 'jetstream_stream_bytes', jetstream: true },
  { what: 'the publish-ack latency each 200 waits for in queue mode', metric: /publish/, jetstream: true },
  { what: 'attempts per order (the orders.attempts column)', metric: /attempt/ },
  { what: "the database pool's wait time", metric: /pool/ },
];

const EXTRA_FORMAT: Record<string, (v: number) => string> = {
  orders_queue_oldest_age_seconds: (v) => `${v.toFixed(1)} s`,
  jetstream_stream_bytes: (v) => `${(v / 1024).toFixed(0)} KiB`,
};

function exportedNames({ shed, queue }: AnswerInput): Set<string> {
  return new Set([...shed.exported.names, ...queue.exported.names]);
}

function has(names: Set<string>, metric: string | RegExp): boolean {
  return typeof metric === 'string' ? names.has(metric) : [...names].some((n) => metric.test(n));
}

/** The extra gauges the service exported in this run, each with its peak in both modes. */
function alsoExported(input: AnswerInput): Claim[] {
  const { shed, queue } = input;
  const names = [
    ...new Set([...Object.keys(shed.exported.peaks), ...Object.keys(queue.exported.peaks)]),
  ].sort();
  if (names.length === 0) return [];
  const peak = (m: ModeAnalysis, name: string) =>
    at(`modes.${m.mode}.exported.peaks.${name}`, m.exported.peaks[name], EXTRA_FORMAT[name]);
  const parts = names.map(
    (name) => frag`${name} peaked at ${peak(shed, name)} (shed) and ${peak(queue, name)} (queue)`,
  );
  const list = parts.reduce((acc, p, i) => (i === 0 ? p : frag`${acc}; ${p}`));
  return [
    measured`Also exported by the service and scraped in this run (exported.peaks, the highest value over the scrapes): ${list}.`,
  ];
}

/** Only what this run's scrapes did not hold: a suggestion is never a metric the service already exports. */
function worthAdding(input: AnswerInput): Claim[] {
  const names = exportedNames(input);
  if (names.size === 0) {
    return [
      method`This run kept no list of the service's metric names, so it suggests nothing it cannot check; docs/metrics.md lists what the service exports.`,
    ];
  }
  const jetstream = input.backends.queue === 'jetstream';
  const absent = CANDIDATES.filter((c) => !has(names, c.metric) && (jetstream || !c.jetstream)).map(
    (c) => c.what,
  );
  const jsOnly = jetstream
    ? []
    : CANDIDATES.filter((c) => c.jetstream && !has(names, c.metric)).map((c) => c.what);
  const out: Claim[] = [];
  if (absent.length > 0) {
    out.push(method`Worth adding, as the service exported nothing for it in this run: ${absent.join('; ')}.`);
  } else {
    out.push(method`Every metric this lab would suggest is already exported (above).`);
  }
  if (jsOnly.length > 0) {
    out.push(
      method`With the in-process queue these do not apply; with JetStream (set NATS_URL) the lab reads the backlog from the consumer itself, and would look for: ${jsOnly.join('; ')}.`,
    );
  }
  return out;
}
