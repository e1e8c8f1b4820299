import {
  type AnswerInput,
  design,
  direction,
  frag,
  measured,
  n,
  pct,
  ratioText,
  serverMs,
  setting,
  t,
} from './answer-context.js';
import { isRejection } from './summary.js';
import type { Answer, Claim } from './types.js';

export const LATENCY_QUESTION = "1. Did the HTTP server's response latency change?";

/** Shed mode's refusals inside the service, and whether they pull its overall percentiles down. */
function refusals({ shed }: AnswerInput): Claim[] {
  const status = Object.keys(shed.serverLatency).find(isRejection);
  const p99 = status ? shed.serverLatency[status]?.p99Ms : null;
  if (!status || p99 === null || p99 === undefined) return [];
  const s200p50 = shed.serverLatency['200']?.p50Ms ?? null;
  const pulls =
    s200p50 !== null && p99 < s200p50
      ? frag`; faster than the p50 of its accepted orders (${serverMs(shed, '200', 'p50Ms')}), they pull shed mode's overall percentiles down`
      : frag``;
  return [
    measured`Shed mode's refusals took p99 ${serverMs(shed, status, 'p99Ms')} inside the service, for ${pct(shed.summary.rejected, shed.summary.sent)} of its requests (${n(shed, 'rejected')} of ${n(shed, 'sent')})${pulls}.`,
  ];
}

/**
 * The "why", from the service's own histogram of accepted orders (status 200) in both modes: in shed
 * mode the 200 is sent after the work, in queue mode after the enqueue (a design property, labelled so).
 */
function why(input: AnswerInput): Claim[] {
  const { backends, shed, queue } = input;
  const s200 = shed.serverLatency['200']?.p99Ms ?? null;
  const q200 = queue.serverLatency['200']?.p99Ms ?? null;
  if (s200 === null || q200 === null) {
    return [
      measured`This run has no server-side latency of accepted orders for ${s200 === null ? 'shed' : 'queue'} mode (p99 ${serverMs(s200 === null ? shed : queue, '200', 'p99Ms')}: no status 200 in http_request_duration_seconds), so it cannot show how much of the answer was the work.`,
      ...refusals(input),
    ];
  }
  const dir = direction(s200, q200);
  const verdict = dir === 'stayed about the same' ? 'about the same p99 (within 20%)' : `a p99 that ${dir}`;
  const work =
    shed.summary.processingMeanMs === null
      ? frag``
      : frag` The work itself (orders_processing_seconds) averaged ${t(shed, 'processingMeanMs')} per order in shed mode.`;
  const enqueue =
    backends.queue === 'jetstream'
      ? 'the publish to JetStream has been acknowledged'
      : 'the order is in the in-process queue';
  return [
    measured`Inside the service (http_request_duration_seconds, status 200) an accepted order took p50 ${serverMs(shed, '200', 'p50Ms')} / p99 ${serverMs(shed, '200', 'p99Ms')} in shed mode and p50 ${serverMs(queue, '200', 'p50Ms')} / p99 ${serverMs(queue, '200', 'p99Ms')} in queue mode: ${verdict}${ratioText(s200, q200)}.${work}`,
    design`in shed mode the service answers 200 after the work (paced to --process-rps ${setting(input, 'processRps')} orders/s, then the database write); in queue mode as soon as ${enqueue}. So queue mode's answer does not include the work, and a slower backend would lengthen shed mode's answers, not queue mode's.`,
    ...refusals(input),
  ];
}

/** Where the work went in queue mode: refusals, and the accepted → processed wait from the rows. */
function moved({ shed, queue }: AnswerInput): Claim {
  const q = queue.summary;
  const refused =
    q.rejected === 0 ? frag`no request was refused` : frag`${n(queue, 'rejected')} requests were refused`;
  if (q.e2eP99Ms === null) {
    return measured`In queue mode ${refused}; no order has a processed row, so this run shows no end-to-end latency.`;
  }
  const longer = q.e2eP99Ms > (shed.summary.e2eP99Ms ?? 0);
  const wait = longer
    ? frag`: the work moved out of the answer into the wait, while the backlog peaked at ${n(queue, 'peakBacklog')} orders`
    : frag`, no longer than in shed mode`;
  return measured`In queue mode ${refused}. Accepted → processed (from the rows' timestamps) took p50 ${t(queue, 'e2eP50Ms')}, p99 ${t(queue, 'e2eP99Ms')} and at worst ${t(queue, 'e2eMaxMs')} in queue mode, against p99 ${t(shed, 'e2eP99Ms')} in shed mode${wait}.`;
}

/** When queue mode's client-side p99 is the higher one: what its answers include that shed's did not. */
function rose({ backends, shed, queue }: AnswerInput): Claim[] {
  return [
    measured`Here queue mode's client-side p99 is the higher one: it answered all ${n(queue, 'accepted')} accepted orders, including the peak that shed mode refused (${n(shed, 'rejected')} refusals).`,
    design`every queue-mode answer waits for the enqueue${backends.queue === 'jetstream' ? ': a round trip to the NATS server, which stores the order before it acknowledges it' : ''}.`,
  ];
}

/** Question 1, from the two modes' HTTP latency and where the work went. */
export function answerLatency(input: AnswerInput): Answer {
  const { shed, queue } = input;
  const s = shed.summary;
  const q = queue.summary;
  const p99Dir = direction(s.httpP99Ms, q.httpP99Ms);
  const paragraphs: Claim[] = [
    measured`HTTP p99 ${p99Dir}: ${t(shed, 'httpP99Ms')} in shed mode, ${t(queue, 'httpP99Ms')} in queue mode${ratioText(s.httpP99Ms, q.httpP99Ms)}; p50 ${direction(s.httpP50Ms, q.httpP50Ms)}, from ${t(shed, 'httpP50Ms')} to ${t(queue, 'httpP50Ms')}; the slowest response took ${t(shed, 'httpMaxMs')} (shed) and ${t(queue, 'httpMaxMs')} (queue). The load generator timed each request from its intended start.`,
    ...why(input),
    moved(input),
    ...(p99Dir === 'rose' ? rose(input) : []),
  ];
  return { question: LATENCY_QUESTION, paragraphs };
}
