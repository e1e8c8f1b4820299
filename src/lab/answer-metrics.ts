import { type AnswerInput, ms } from './answer-context.js';
import type { Answer } from './types.js';

export const METRICS_QUESTION = '3. What other metrics can we collect from the queue and the service?';

function fixed(n: number | null, digits = 0): string {
  return n === null ? 'n/a' : n.toFixed(digits);
}

/** Question 3: what peaklab collected in this run, what each shows, and what to add next. */
export function answerMetrics({ backends, shed, queue }: AnswerInput): Answer {
  const s = shed.summary;
  const q = queue.summary;
  const items = [
    `http_requests_total{method,route,status}: responses per second by status, the seed's graph. ` +
      `Shed: ${s.accepted} × 200, ${s.rejected} × 5xx; queue: ${q.accepted} × 200, ${q.rejected} × 5xx.`,
    `http_request_duration_seconds: the server's own latency per status, without the client's queueing ` +
      `(accepted orders p99 ${ms(shed.serverLatency['200']?.p99Ms)} in shed mode, ` +
      `${ms(queue.serverLatency['200']?.p99Ms)} in queue mode).`,
    `work_done_total{status}: the seed's Work Done counter: ${s.workDone} done / ${s.workError} error in shed mode ` +
      `(errors are the refusals), ${q.workDone} done / ${q.workError} error in queue mode (errors are dead letters).`,
    `orders_queue_depth: waiting plus in-flight orders, the backlog itself: peak ${q.peakBacklog} in queue mode, ` +
      `${q.drainSeconds === null ? 'not drained in time' : `drained ${q.drainSeconds} s after the peak`}.`,
    `orders_inflight: orders being worked on right now, i.e. how busy the worker pool is ` +
      `(peak ${s.peakInflight} shed, ${q.peakInflight} queue).`,
    `orders_end_to_end_seconds: accepted → processed, the delay the user actually waits for the order ` +
      `(p99 ${ms(s.e2eP99Ms)} shed, ${ms(q.e2eP99Ms)} queue; per second in the chart, from the database's timestamps).`,
    `orders_processing_seconds: the time of the work itself, so a slow backend shows apart from a long queue ` +
      `(mean ${ms(s.processingMeanMs)} per order in shed mode, ${ms(q.processingMeanMs)} in queue mode).`,
    `process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_p99_seconds: the service's ` +
      `cost: CPU peaked at ${fixed(s.peakCpuPercent)}% (shed) and ${fixed(q.peakCpuPercent)}% (queue) of one core, ` +
      `memory at ${fixed(s.peakRssMb)} / ${fixed(q.peakRssMb)} MB, event-loop lag p99 at ` +
      `${ms(s.peakEventLoopLagMs)} / ${ms(q.peakEventLoopLagMs)}.`,
    `From the load generator: target vs achieved rate, requests dropped or late (${s.dropped} / ${q.dropped}), and ` +
      `latency both from the intended start (free of coordinated omission) and from the actual send ` +
      `(service-time p99 ${ms(s.serviceTimeP99Ms)} / ${ms(q.serviceTimeP99Ms)}).`,
  ];
  const next =
    backends.queue === 'jetstream'
      ? `From JetStream itself (consumer info, or the NATS server's /jsz monitoring endpoint): the consumer's ` +
        `num_pending (waiting), num_ack_pending (in flight), num_redelivered (retries), the stream's bytes and ` +
        `messages, the size of ORDERS_DLQ, and the publish-ack latency that each 200 waits for.`
      : `With JetStream (set NATS_URL), also the consumer's num_pending, num_ack_pending and num_redelivered, ` +
        `the stream's bytes on disk, the size of ORDERS_DLQ and the publish-ack latency.`;
  return {
    question: METRICS_QUESTION,
    paragraphs: [
      'peaklab scraped these from the service every second, and recorded every one of them in results.json:',
    ],
    items: [
      ...items,
      next,
      `Worth adding: the age of the oldest waiting order (a backlog in seconds, the number an SLA is written in), ` +
        `attempts per order (the orders.attempts column), and the database pool's wait time.`,
    ],
  };
}
