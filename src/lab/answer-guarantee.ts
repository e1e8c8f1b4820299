import { type AnswerInput, count, ms, pct } from './answer-context.js';
import type { Answer, ModeSummary } from './types.js';

export const GUARANTEE_QUESTION =
  '2. Can we guarantee the user that their order gets processed? Why, and what can go wrong?';

/** How long the backlog took to empty, or how much was still waiting when the watch gave up. */
function drainText(q: ModeSummary, drainTimeoutMs: number): string {
  if (!q.drained) {
    return (
      `The backlog had not drained when the watch ended: ${count(q.backlogAtEnd, 'order')} still waiting ` +
      `after ${ms(drainTimeoutMs)} of watching, at risk for longer still`
    );
  }
  return (
    `The queue was empty again ${q.drainSeconds} s after the last peak (${q.drainAfterLoadSeconds ?? 'n/a'} s ` +
    `after the load ended); until then the newest accepted orders were still waiting`
  );
}

/**
 * Durability, from this run's backlog: how many accepted orders waited at the peak, for how many
 * seconds any waited at all, how long the drain took, and which of them a crash would have cost.
 */
function durability({ settings, backends, queue }: AnswerInput): string {
  const q = queue.summary;
  const waitingSeconds = queue.timeline.filter((r) => (r.queueDepth ?? 0) > 0).length;
  if (q.peakBacklog === 0) {
    return (
      `The backlog never built up (peak 0): every order was worked on as it arrived, so at no point was ` +
      `an accepted order waiting, and a crash would have put at most the orders in flight at risk.`
    );
  }
  const peak = `${count(q.peakBacklog, 'accepted order')} waiting at the peak (around second ${q.peakBacklogAtSecond ?? 'n/a'})`;
  const drain = `${drainText(q, settings.drainTimeoutMs)}.`;
  if (backends.queue === 'jetstream') {
    return (
      `The answer 200 is sent only after JetStream has acknowledged the publish to a file-backed ` +
      `work-queue stream, so the ${peak} were on disk, not in the service's memory: a crash of the service ` +
      `at the peak would have lost none of them, and the at most ${q.peakInflight} in flight would have been ` +
      `redelivered (workers ack only after the row is committed; the primary key makes a redelivery a ` +
      `no-op). Orders waited in the stream for ${waitingSeconds} s of this run. ${drain} So yes, with a ` +
      `condition: "accepted" means "will be processed, at least once, with one row", as long as the NATS ` +
      `server's disk survives.`
    );
  }
  return (
    `With the embedded, in-process queue the answer 200 means "in memory". This run had ${peak}, and ` +
    `some accepted order was waiting in memory for ${waitingSeconds} s of it: a crash at the peak would ` +
    `have lost those ${q.peakBacklog}, each of whose users had been told "created". ${drain} So no, not ` +
    `with this backend. With NATS_URL set, the backlog is on disk in JetStream and acknowledged before ` +
    `the 200, and the guarantee holds across a crash of the service.`
  );
}

/** Question 2, from the counts of both modes, the backlog and the backends that held it. */
export function answerGuarantee(input: AnswerInput): Answer {
  const { settings, backends, shed, queue } = input;
  const s = shed.summary;
  const q = queue.summary;
  const paragraphs: string[] = [];

  paragraphs.push(
    `Shed mode refused ${count(s.rejected, 'order')} of ${s.sent.toLocaleString('en-US')} sent ` +
      `(${pct(s.rejected, s.sent)}; the integral of the sine above ${settings.rpsLimit} RPS predicted ` +
      `${Math.round(s.predictedRejected ?? 0)}). Those users were told "server-kaput": no order, no guarantee. ` +
      `Queue mode accepted ${count(q.accepted, 'order')}, refused ${q.rejected}, and processed ` +
      `${q.processed.toLocaleString('en-US')}: ${q.lost === 0 ? 'none was lost' : `${count(q.lost, 'accepted order')} never processed`}.`,
  );

  paragraphs.push(
    `${durability(input)} The rows are in ${backends.database === 'postgres' ? 'Postgres' : 'embedded PGlite, on local disk'}.`,
  );

  const mean = (settings.minRps + settings.maxRps) / 2;
  const wrong: string[] = [];
  wrong.push(
    `"Processed" is not "processed now": the last orders of the peak waited up to ${ms(q.e2eMaxMs)} ` +
      `(p99 ${ms(q.e2eP99Ms)}) against ${ms(s.e2eMaxMs)} in shed mode. A promise to the user needs a ` +
      `deadline, and the peak backlog divided by the capacity (${q.peakBacklog} / ${settings.processRps} per s ≈ ` +
      `${(q.peakBacklog / Math.max(1, settings.processRps)).toFixed(1)} s) is the delay to budget for.`,
  );
  wrong.push(
    mean > settings.processRps
      ? `The night is too short: the mean offered rate (${mean} RPS) exceeds the capacity ` +
          `(${settings.processRps} orders/s), so the backlog grows every cycle and never drains.`
      : `The night must be long enough: it drains only because the mean offered rate (${mean} RPS) is ` +
          `within the capacity (${settings.processRps} orders/s). A busier day, or a slower backend, and the ` +
          `backlog grows without end.`,
  );
  wrong.push(
    `Poison orders: an order that always fails is retried, then dead-lettered and counted as ` +
      `work_done_total{status="error"} (${q.workError} in this run); someone must look at the dead letters.`,
  );
  wrong.push(
    backends.queue === 'jetstream'
      ? `If JetStream itself is down or its disk is full, the intake cannot enqueue and must refuse: a refusal, ` +
          `not a loss, but the peak is no longer absorbed.`
      : `If the process dies, everything waiting in memory is gone, and the clients have no way to know which ` +
          `orders those were.`,
  );
  if (q.lost > 0 || q.rejected > 0 || !q.drained) {
    wrong.push(
      `This run shows it: ${q.lost} accepted but unprocessed, ${q.rejected} refused in queue mode` +
        `${q.drained ? '' : ', and the watch ended before the drain'}.`,
    );
  }
  paragraphs.push('What can go wrong:');
  return { question: GUARANTEE_QUESTION, paragraphs, items: wrong };
}
