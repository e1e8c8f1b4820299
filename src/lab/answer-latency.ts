import { type AnswerInput, direction, ms, pct, ratioText } from './answer-context.js';
import type { Answer } from './types.js';

export const LATENCY_QUESTION = "1. Did the HTTP server's response latency change?";

/** Question 1, from the two modes' HTTP latency and where the work went. */
export function answerLatency({ settings, backends, shed, queue }: AnswerInput): Answer {
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

  const shed200 = shed.serverLatency['200'];
  const shed5xx = Object.entries(shed.serverLatency).find(([status]) => status.startsWith('5'))?.[1];
  const split =
    shed200 && shed5xx
      ? ` The service's own histogram shows the split: accepted orders p99 ${ms(shed200.p99Ms)}, ` +
        `refusals p99 ${ms(shed5xx.p99Ms)}.`
      : '';
  paragraphs.push(
    `Why: in shed mode an accepted order is processed before it is answered (the simulated work, inside ` +
      `the ${settings.processRps} orders/s budget, then the database write), so its response time includes ` +
      `the work. The ${pct(s.rejected, s.sent)} of requests that were refused got an immediate 500, which is ` +
      `fast and pulls the percentiles down.${split}`,
  );

  const enqueue =
    backends.queue === 'jetstream'
      ? 'JetStream has acknowledged the publish (the order is stored in the stream on disk)'
      : 'the order is in the in-process queue (memory only)';
  const movedTo =
    q.e2eP99Ms !== null
      ? ` The work did not disappear, it moved: accepted → processed took p50 ${ms(q.e2eP50Ms)}, ` +
        `p99 ${ms(q.e2eP99Ms)} and at worst ${ms(q.e2eMaxMs)} in queue mode, against p99 ${ms(s.e2eP99Ms)} ` +
        `in shed mode, because at the peak up to ${q.peakBacklog} orders waited in the queue.`
      : '';
  paragraphs.push(
    `In queue mode the service answers as soon as ${enqueue}, so the HTTP latency no longer includes ` +
      `the work, and no request is refused (${q.rejected} rejected).${movedTo}`,
  );
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
