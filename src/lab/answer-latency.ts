import { type AnswerInput, direction, ms, pct, ratioText } from './answer-context.js';
import type { Answer } from './types.js';

export const LATENCY_QUESTION = "1. Did the HTTP server's response latency change?";

/**
 * The "why", from the service's own histogram of accepted orders (status 200) in both modes: in shed
 * mode the 200 is sent after the work, in queue mode after the enqueue, so this is where the work
 * leaving the request path shows, free of the client's queueing and of the fast refusals.
 */
function why({ settings, backends, shed, queue }: AnswerInput): string {
  const s200 = shed.serverLatency['200'];
  const q200 = queue.serverLatency['200'];
  const shed5xx = Object.entries(shed.serverLatency).find(([status]) => status.startsWith('5'))?.[1];
  const refusals = shed5xx
    ? ` Shed mode's refusals took p99 ${ms(shed5xx.p99Ms)} inside the service: an immediate 500 for ` +
      `${pct(shed.summary.rejected, shed.summary.sent)} of the requests, which pulls its percentiles down.`
    : '';
  if (s200?.p99Ms == null || q200?.p99Ms == null) {
    return (
      `Why: this run has no server-side latency of accepted orders for ${s200?.p99Ms == null ? 'shed' : 'queue'} ` +
      `mode (no 200 in http_request_duration_seconds), so it cannot show how much of the response was the work.` +
      refusals
    );
  }
  const measured =
    `Inside the service (http_request_duration_seconds, status 200) an accepted order took ` +
    `p50 ${ms(s200.p50Ms)} / p99 ${ms(s200.p99Ms)} in shed mode and p50 ${ms(q200.p50Ms)} / p99 ` +
    `${ms(q200.p99Ms)} in queue mode${ratioText(s200.p99Ms, q200.p99Ms)}.`;
  const work = shed.summary.processingMeanMs;
  const workText =
    work === null ? '' : ` The work itself (orders_processing_seconds) averaged ${ms(work)} per order.`;
  const enqueue = backends.queue === 'jetstream' ? 'the JetStream publish-ack' : 'the in-memory enqueue';
  const shedPath =
    `In shed mode the 200 is sent after the work (paced to ${settings.processRps} orders/s, then the ` +
    `database write); in queue mode it is sent after ${enqueue}.`;
  switch (direction(s200.p99Ms, q200.p99Ms)) {
    case 'fell':
      return (
        `Why: ${measured} ${shedPath} That drop is the work leaving the request path: the HTTP latency ` +
        `no longer includes it.${workText}${refusals}`
      );
    case 'rose':
      return (
        `Why: ${measured} ${shedPath} Here ${enqueue} took longer than the work did: moving the work out ` +
        `of the request path did not make the answer faster in this run.${workText}${refusals}`
      );
    default:
      return (
        `Why it barely changed: ${measured} ${shedPath} The two cost about the same here, so taking the ` +
        `work out of the request path did not shorten the answer; with a slower backend it would.` +
        `${workText}${refusals}`
      );
  }
}

/** Question 1, from the two modes' HTTP latency and where the work went. */
export function answerLatency(input: AnswerInput): Answer {
  const { backends, shed, queue } = input;
  const s = shed.summary;
  const q = queue.summary;
  const p99Dir = direction(s.httpP99Ms, q.httpP99Ms);
  const p50Dir = direction(s.httpP50Ms, q.httpP50Ms);
  const paragraphs: string[] = [];
  paragraphs.push(
    `HTTP p99 ${p99Dir}: ` +
      `${ms(s.httpP99Ms)} in shed mode, ${ms(q.httpP99Ms)} in queue mode${ratioText(s.httpP99Ms, q.httpP99Ms)}. ` +
      `p50 ${p50Dir}, from ${ms(s.httpP50Ms)} to ${ms(q.httpP50Ms)}; the slowest response took ` +
      `${ms(s.httpMaxMs)} (shed) and ${ms(q.httpMaxMs)} (queue).`,
  );
  paragraphs.push(why(input));

  const movedTo =
    q.e2eP99Ms !== null
      ? ` The work did not disappear, it moved: accepted → processed took p50 ${ms(q.e2eP50Ms)}, ` +
        `p99 ${ms(q.e2eP99Ms)} and at worst ${ms(q.e2eMaxMs)} in queue mode, against p99 ${ms(s.e2eP99Ms)} ` +
        `in shed mode, because at the peak up to ${q.peakBacklog} orders waited in the queue.`
      : '';
  paragraphs.push(`In queue mode no request was refused (${q.rejected} rejected).${movedTo}`);
  if (p99Dir === 'rose') {
    paragraphs.push(
      `Here the queue mode's p99 is the higher one: every answer waits for the enqueue` +
        `${backends.queue === 'jetstream' ? ' (a JetStream round trip and a disk write)' : ''}, and the ` +
        `${q.accepted.toLocaleString('en-US')} answered orders include the whole peak, which shed mode refused in ` +
        `a millisecond. The end-to-end latency above is the price of accepting them all.`,
    );
  }
  return { question: LATENCY_QUESTION, paragraphs };
}
