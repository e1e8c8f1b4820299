import {
  type AnswerInput,
  design,
  direction,
  type Fragment,
  frag,
  measured,
  n,
  pct,
  ratioText,
  serverBound,
  serverMs,
  setting,
  t,
} from './answer-context.js';
import { isRejection } from './summary.js';
import type { Answer, Claim, ModeAnalysis } from './types.js';

export const LATENCY_QUESTION = "1. Did the HTTP server's response latency change?";

/** Shed mode's refusals inside the service, and whether they pull its overall percentiles down. */
function refusals({ shed }: AnswerInput): Claim[] {
  const status = Object.keys(shed.serverLatency).find(isRejection);
  const p99 = status ? shed.serverLatency[status]?.p99LeMs : null;
  if (!status || p99 === null || p99 === undefined) return [];
  const s200p50 = shed.serverLatency['200']?.p50LeMs ?? null;
  // Only when the refusals' p99 bucket ends below the accepted orders' p50 bucket is "faster" certain.
  const pulls =
    s200p50 !== null && p99 < s200p50 / 2
      ? frag`; faster than most of its accepted orders (p50 ${serverBound(shed, '200', 'p50LeMs')}), they pull shed mode's overall percentiles down`
      : frag``;
  return [
    measured`Shed mode's refusals took p99 ${serverBound(shed, status, 'p99LeMs')} inside the service (from its histogram buckets), for ${pct(shed.summary.rejected, shed.summary.sent)} of its requests (${n(shed, 'rejected')} of ${n(shed, 'sent')})${pulls}.`,
  ];
}

/**
 * The "why", from the service's own histogram of accepted orders (status 200) in both modes: in shed
 * mode the 200 is sent after the work, in queue mode after the enqueue (a design property, labelled so).
 */
function why(input: AnswerInput): Claim[] {
  const { backends, shed, queue } = input;
  const s200 = shed.serverLatency['200']?.p99LeMs;
  const q200 = queue.serverLatency['200']?.p99LeMs;
  if (s200 === undefined || q200 === undefined) {
    return [
      measured`This run has no server-side latency of accepted orders for ${s200 === undefined ? 'shed' : 'queue'} mode (p99 ${serverMs(s200 === undefined ? shed : queue, '200', 'p99LeMs')}: no status 200 in http_request_duration_seconds), so it cannot show how much of the answer was the work.`,
      ...refusals(input),
    ];
  }
  // Bucket bounds can only say lower, higher or the same bucket: a ratio of interpolations would
  // claim a precision the buckets do not have.
  const verdict =
    s200 === q200
      ? 'the same p99 bucket in both modes'
      : s200 !== null && (q200 === null || q200 > s200)
        ? 'a higher p99 bucket in queue mode'
        : 'a lower p99 bucket in queue mode';
  const work =
    shed.summary.processingMeanMs === null
      ? frag``
      : frag` The work itself (orders_processing_seconds) averaged ${t(shed, 'processingMeanMs')} per order in shed mode.`;
  const enqueue =
    backends.queue === 'jetstream'
      ? 'the publish to JetStream has been acknowledged'
      : 'the order is in the in-process queue';
  return [
    measured`Inside the service an accepted order took p50 ${serverBound(shed, '200', 'p50LeMs')} / p99 ${serverBound(shed, '200', 'p99LeMs')} in shed mode and p50 ${serverBound(queue, '200', 'p50LeMs')} / p99 ${serverBound(queue, '200', 'p99LeMs')} in queue mode, bounds from the service's histogram buckets (http_request_duration_seconds, status 200), not exact values: ${verdict}.${tighter(shed)}${tighter(queue)}${work}`,
    design`in shed mode the service answers 200 after the work (paced to --process-rps ${setting(input, 'processRps')} orders/s, then the database write); in queue mode as soon as ${enqueue}. So queue mode's answer does not include the work, and a slower backend would lengthen shed mode's answers, not queue mode's.`,
    ...refusals(input),
  ];
}

/**
 * When a bucket bound reaches past the slowest response the client measured: the server's time is
 * part of the client's (timed from the intended start), so the client's maximum bounds it more tightly.
 */
function tighter(m: ModeAnalysis): Fragment {
  const le = m.serverLatency['200']?.p99LeMs ?? null;
  const max = m.summary.httpMaxMs;
  if (le === null || max === null || le <= max) return frag``;
  return frag` In ${m.mode} mode the bucket reaches past the slowest response the client measured (${t(m, 'httpMaxMs')}); the service's time is part of the client's, so that maximum bounds it more tightly.`;
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
