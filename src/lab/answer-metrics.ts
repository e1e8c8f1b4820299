import { type AnswerInput, ms } from './answer-context.js';
import type { Answer } from './types.js';

export const METRICS_QUESTION = '3. What other metrics can we collect from the queue and the service?';

function fixed(n: number | null, digits = 0): string {
  return n === null ? 'n/a' : n.toFixed(digits);
}

/** "541 × 200, 260 × 500": a status count map as prose. */
function statuses(byStatus: Record<string, number>): string {
  const parts = Object.entries(byStatus)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${n} × ${status}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * Question 3: what peaklab collected in this run, where results.json keeps it (`timeline` is per second,
 * `summary` per mode), what each shows, and what to add next.
 */
export function answerMetrics({ backends, shed, queue }: AnswerInput): Answer {
  const s = shed.summary;
  const q = queue.summary;
  const items = [
    `http_requests_total{method,route,status} (timeline.serverStatus, serverStatus): responses by status as ` +
      `the service counted them, the seed's graph. Shed: ${statuses(shed.serverStatus)}; queue: ` +
      `${statuses(queue.serverStatus)} (the load generator saw ${s.accepted} / ${s.rejected} and ` +
      `${q.accepted} / ${q.rejected} accepted / refused).`,
    `http_request_duration_seconds (serverLatency): the server's own latency per status, without the ` +
      `client's queueing (accepted orders p99 ${ms(shed.serverLatency['200']?.p99Ms)} in shed mode, ` +
      `${ms(queue.serverLatency['200']?.p99Ms)} in queue mode).`,
    `work_done_total{status} (timeline.workDone / workError): the seed's Work Done counter: ${s.workDone} done / ` +
      `${s.workError} error in shed mode (errors are the refusals), ${q.workDone} done / ${q.workError} error in ` +
      `queue mode (errors are dead letters).`,
    `orders_queue_depth (timeline.queueDepth): waiting plus in-flight orders, the backlog itself: peak ` +
      `${q.peakBacklog} in queue mode, ${q.drained ? `drained ${q.drainSeconds} s after the peak` : `${q.backlogAtEnd} still waiting when the watch ended`}.`,
    `orders_inflight (timeline.inflight): orders being worked on right now, i.e. how busy the worker pool is ` +
      `(peak ${s.peakInflight} shed, ${q.peakInflight} queue).`,
    `orders_end_to_end_seconds (timeline.serverE2eMeanMs): accepted → processed, the delay the user actually ` +
      `waits for the order, as the service measured it each second; next to it, the rows' own timestamps ` +
      `(timeline.e2eP50Ms/e2eP99Ms: p99 ${ms(s.e2eP99Ms)} shed, ${ms(q.e2eP99Ms)} queue).`,
    `orders_processing_seconds (summary.processingMeanMs): the time of the work itself, so a slow backend ` +
      `shows apart from a long queue (mean ${ms(s.processingMeanMs)} per order in shed mode, ` +
      `${ms(q.processingMeanMs)} in queue mode).`,
    `process_cpu_seconds_total, process_resident_memory_bytes, nodejs_heap_size_used_bytes, ` +
      `nodejs_eventloop_lag_p99_seconds (timeline.cpuPercent, rssMb, heapMb, eventLoopLagP99Ms): the service's ` +
      `cost: CPU peaked at ${fixed(s.peakCpuPercent)}% (shed) and ${fixed(q.peakCpuPercent)}% (queue) of one core, ` +
      `memory at ${fixed(s.peakRssMb)} / ${fixed(q.peakRssMb)} MB (heap ${fixed(s.peakHeapMb)} / ` +
      `${fixed(q.peakHeapMb)} MB), event-loop lag p99 at ${ms(s.peakEventLoopLagMs)} / ${ms(q.peakEventLoopLagMs)}.`,
    `From the load generator (timeline.target, started, status, httpP50Ms/httpP99Ms): target vs achieved ` +
      `rate, requests dropped or late (${s.dropped} / ${q.dropped}), and latency both from the intended start ` +
      `(free of coordinated omission) and from the actual send (service-time p99 ${ms(s.serviceTimeP99Ms)} / ` +
      `${ms(q.serviceTimeP99Ms)}).`,
  ];
  const next =
    backends.queue === 'jetstream'
      ? `Not collected yet, from JetStream itself (consumer info, or the NATS server's /jsz monitoring ` +
        `endpoint): the consumer's num_pending (waiting), num_ack_pending (in flight), num_redelivered ` +
        `(retries), the stream's bytes and messages, the size of ORDERS_DLQ, and the publish-ack latency that ` +
        `each 200 waits for.`
      : `Not collected yet, with JetStream (set NATS_URL): the consumer's num_pending, num_ack_pending and ` +
        `num_redelivered, the stream's bytes on disk, the size of ORDERS_DLQ and the publish-ack latency.`;
  return {
    question: METRICS_QUESTION,
    paragraphs: [
      'peaklab scraped these from the service every second; results.json keeps each one per mode, under ' +
        'the field named in brackets (timeline: one value per second; summary: the whole mode):',
    ],
    items: [
      ...items,
      next,
      `Worth adding: the age of the oldest waiting order (a backlog in seconds, the number an SLA is written in), ` +
        `attempts per order (the orders.attempts column), and the database pool's wait time.`,
    ],
  };
}
