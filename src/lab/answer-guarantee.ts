import { type AnswerInput, count, ms, pct } from './answer-context.js';
import type { Answer } from './types.js';

export const GUARANTEE_QUESTION =
  '2. Can we guarantee the user that their order gets processed? Why, and what can go wrong?';

/** Question 2, from the counts of both modes, the backlog and the backends that held it. */
export function answerGuarantee({ settings, backends, shed, queue }: AnswerInput): Answer {
  const s = shed.summary;
  const q = queue.summary;
  const paragraphs: string[] = [];

  paragraphs.push(
    `Shed mode refused ${count(s.rejected, 'order')} of ${s.sent.toLocaleString('en-US')} sent ` +
      `(${pct(s.rejected, s.sent)}; the integral of the sine above ${settings.rpsLimit} RPS predicted ` +
      `${Math.round(s.predictedRejected)}). Those users were told "server-kaput": no order, no guarantee. ` +
      `Queue mode accepted ${count(q.accepted, 'order')}, refused ${q.rejected}, and processed ` +
      `${q.processed.toLocaleString('en-US')}: ${q.lost === 0 ? 'none was lost' : `${count(q.lost, 'accepted order')} never processed`}.`,
  );

  const drained =
    q.drainSeconds === null
      ? `the backlog had not drained when the watch ended`
      : `the queue was empty again ${q.drainSeconds} s after the peak`;
  const durability =
    backends.queue === 'jetstream'
      ? `The answer 200 is sent only after JetStream has acknowledged the publish to a file-backed ` +
        `work-queue stream, so the backlog (at most ${q.peakBacklog} orders here) was on disk, not in the ` +
        `service's memory: a crash of the service loses nothing that was acknowledged. Workers ack each ` +
        `message only after its row is committed, so a worker that dies mid-order causes a redelivery, and ` +
        `the primary key makes a redelivery a no-op. So yes, with a condition: "accepted" means "will be ` +
        `processed, at least once, with one row".`
      : `With the embedded, in-process queue the answer 200 means "in memory": a crash at the peak ` +
        `(around second ${q.peakBacklogAtSecond ?? 'n/a'}) would have lost up to ${count(q.peakBacklog, 'accepted order')} ` +
        `(the peak backlog), each of whose users had been told "created". So no, not with this backend. ` +
        `With NATS_URL set, the backlog is on disk in JetStream and acknowledged before the 200, and ` +
        `the guarantee holds across a crash.`;
  paragraphs.push(
    `${durability} The rows are in ${backends.database === 'postgres' ? 'Postgres' : 'embedded PGlite, on local disk'}; ${drained}.`,
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
  if (q.lost > 0 || q.rejected > 0) {
    wrong.push(
      `This run shows it: ${q.lost} accepted but unprocessed, ${q.rejected} refused in queue mode` +
        `${q.drainSeconds === null ? ', and the watch ended before the drain' : ''}.`,
    );
  }
  paragraphs.push('What can go wrong:');
  return { question: GUARANTEE_QUESTION, paragraphs, items: wrong };
}
