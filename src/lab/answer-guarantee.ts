import {
  type AnswerInput,
  design,
  frag,
  joined,
  measured,
  method,
  model,
  n,
  nth,
  pct,
  s,
  setting,
  t,
} from './answer-context.js';
import { peaksGrew } from './cycles.js';
import type { Answer, Claim } from './types.js';

export const GUARANTEE_QUESTION =
  '2. Can we guarantee the user that their order gets processed? Why, and what can go wrong?';

const whole = (v: number) => Math.round(v).toLocaleString('en-US');

/** Shed's refusals against the integral; queue's acknowledged, processed, queued and lost, from the rows. */
function counts(input: AnswerInput): Claim {
  const { backends, shed, queue } = input;
  const q = queue.summary;
  const predicted = frag`the integral of the sine above --rps-limit ${setting(input, 'rpsLimit')} predicted ${n(shed, 'predictedRejected', whole)}`;
  const shedPart =
    shed.summary.rejected > 0
      ? frag`Shed mode refused ${n(shed, 'rejected')} of ${n(shed, 'sent')} requests (${pct(shed.summary.rejected, shed.summary.sent)}; ${predicted}). Those users were told "server-kaput": no order, no guarantee.`
      : frag`Shed mode refused none of its ${n(shed, 'sent')} requests (${predicted}).`;
  const ack =
    q.acknowledged === null
      ? frag`the load generator received ${n(queue, 'accepted')} answers 2xx (the service's own count was not scraped)`
      : frag`the service acknowledged ${n(queue, 'acknowledged')} orders (the load generator received ${n(queue, 'accepted')} answers 2xx)`;
  const queued =
    (q.queuedAfterStop ?? 0) > 0
      ? frag`, and ${n(queue, 'queuedAfterStop')} were still in JetStream after the service stopped (waiting for a worker, not lost)`
      : frag``;
  const lost =
    q.lost === 0
      ? frag`${n(queue, 'lost')} are lost: every acknowledged order has its row${(q.queuedAfterStop ?? 0) > 0 ? ' or is still in the stream' : ''}`
      : frag`${n(queue, 'lost')} acknowledged orders are lost: no row, and not in the queue`;
  const db = backends.database === 'postgres' ? 'Postgres' : 'embedded PGlite';
  return measured`${shedPart} Queue mode: ${ack}, refused ${n(queue, 'rejected')}; ${db} holds ${n(queue, 'processed')} processed rows${queued}. Counted against those rows, ${lost}.`;
}

/** The backlog as read: its peak, how long orders waited, and the drain (or what was left). */
function backlog({ queue }: AnswerInput): Claim {
  const q = queue.summary;
  if (q.backlogAtEnd === null) {
    return measured`No reading of the backlog succeeded (${queue.backlogSource}; last reading: ${n(queue, 'backlogAtEnd')}), so this run cannot say how big it got or whether it drained.`;
  }
  if (q.peakBacklog === 0) {
    return measured`The backlog (${queue.backlogSource}, read every 0.5 s) never rose above ${n(queue, 'peakBacklog')}: every order was worked on as it arrived.`;
  }
  const drain = q.drained
    ? frag`It read 0 again ${s(queue, 'drainSeconds')} after its last peak (${s(queue, 'drainAfterLoadSeconds')} after the load ended); until then the newest accepted orders were waiting.`
    : frag`It had not drained when the watch ended (the load ended at ${s(queue, 'loadSeconds')}, the watch at ${s(queue, 'watchSeconds')}): ${n(queue, 'backlogAtEnd')} orders were still waiting at the last reading.`;
  return measured`The backlog (${queue.backlogSource}, read every 0.5 s) peaked at ${n(queue, 'peakBacklog')} acknowledged orders around second ${n(queue, 'peakBacklogAtSecond')}, and orders were waiting in ${n(queue, 'backlogSeconds')} seconds of this run. ${drain}`;
}

/** Durability: what the backend that held the backlog guarantees by design, with this run's backlog. */
function durability(input: AnswerInput): Claim[] {
  const { queue, backends } = input;
  if (backends.queue === 'jetstream') {
    return [
      design`the service answers 200 only after JetStream has stored the order in a file-backed work-queue stream, and a worker acknowledges an order only after its row is committed. So an acknowledged order survives a crash of the service process: a waiting one stays in the stream, one in flight is redelivered, and the primary key keeps a redelivery to one row. The orders service's crash test (SIGKILL mid-load, restart, count) checks this; this run crashed nothing.`,
      design`JetStream acknowledges a publish before the message is synced to disk (NATS syncs every 2 minutes by default), so with one replica an OS crash or a power loss on the NATS server's machine can lose acknowledged orders; "jetstream { sync_interval: always }" closes that gap at a cost in throughput. The answer is yes across a crash of the service ("accepted" means "will be processed, at least once, with one row"), and not across a crash of the NATS server's machine unless it syncs every write.`,
    ];
  }
  const atPeak =
    queue.summary.peakBacklog > 0
      ? frag` At this run's peak that would have been ${n(queue, 'peakBacklog')} orders, each of whose users had been told "created".`
      : frag` In this run only orders in flight would have been at risk.`;
  return [
    design`the in-process queue lives in the service's memory: a crash loses every order waiting in it.${atPeak} So the answer is no with this backend; with NATS_URL set, JetStream holds the backlog and an acknowledged order survives a crash of the service.`,
  ];
}

/** Every element of a per-cycle list, each quoted. */
function perCycle(queue: AnswerInput['queue'], key: Parameters<typeof nth>[1]) {
  return joined(queue.summary[key].map((_, i) => nth(queue, key, i)));
}

/** What the lows say about the nights: emptied between peaks, or not. */
function nights(lows: ReadonlyArray<number | null>, drained: boolean): string {
  const between = lows.slice(0, -1).filter((v): v is number => v !== null);
  const after = drained ? 'it emptied after the load' : 'it had not emptied when the watch ended';
  if (between.length === 0) return `${after}.`;
  if (between.every((v) => v === 0)) return `the queue emptied between peaks, and ${after}.`;
  return `the queue did not empty between peaks (lowest ${Math.min(...between)}), and ${after}.`;
}

/**
 * The seed's "night", measured: each cycle's backlog peak and the low after it, whether the peaks grew,
 * whether the nights emptied the queue; then the fluid model of the settings, labelled as such, and a
 * sentence whenever the two disagree.
 */
function night(input: AnswerInput): Claim[] {
  const { settings, queue } = input;
  const q = queue.summary;
  const grew = peaksGrew(q.backlogPeaks);
  const known = q.backlogPeaks.filter((v) => v !== null).length;
  let verdict: string;
  if (grew)
    verdict = `The peaks grew from cycle to cycle: the nights were too short for this load; ${nights(q.backlogLows, q.drained)}`;
  else if (known < 2) verdict = `One cycle leaves no growth to compare; ${nights(q.backlogLows, q.drained)}`;
  else verdict = `The peaks did not grow from cycle to cycle; ${nights(q.backlogLows, q.drained)}`;
  const mean = (settings.minRps + settings.maxRps) / 2;
  const modelGrows = peaksGrew(q.predictedBacklogPeaks);
  const trend = modelGrows
    ? `the peaks grow every cycle, as they must when the mean is above the capacity`
    : 'the peaks do not grow from cycle to cycle';
  const claims = [
    measured`Each cycle's backlog peaked at ${perCycle(queue, 'backlogPeaks')} and fell to ${perCycle(queue, 'backlogLows')} before the next peak (the last: after the load), the seed's "night". ${verdict}`,
    model`the mean offered rate is ${String(mean)} requests/s (--min ${setting(input, 'minRps')}, --max ${setting(input, 'maxRps')}) against --process-rps ${setting(input, 'processRps')} orders/s; a fluid model of the sine predicts peaks of ${perCycle(queue, 'predictedBacklogPeaks')} and lows of ${perCycle(queue, 'predictedBacklogLows')}: ${trend}.`,
  ];
  if (known >= 2 && grew !== modelGrows) {
    claims.push(
      measured`The measurement and the model disagree: the peaks ${grew ? 'grew' : 'did not grow'} while the workers processed ${n(queue, 'processedPerSWhileBacklogged')} orders/s with a backlog waiting, against --process-rps ${setting(input, 'processRps')}.`,
    );
  }
  return claims;
}

/** What can go wrong: each item measured, or labelled as a property of the design. */
function wrong(input: AnswerInput): Claim[] {
  const { backends, shed, queue } = input;
  const q = queue.summary;
  const items: Claim[] = [];
  if (q.e2eMaxMs !== null) {
    const rate = q.processedPerSWhileBacklogged;
    const budget =
      rate !== null && rate > 0 && q.peakBacklog > 0
        ? frag` While a backlog waited, the workers processed ${n(queue, 'processedPerSWhileBacklogged')} orders/s, so the peak backlog of ${n(queue, 'peakBacklog')} was about ${(q.peakBacklog / rate).toFixed(1)} s of waiting: the delay a promise to the user must budget for.`
        : frag``;
    items.push(
      measured`"Processed" is not "processed now": accepted → processed took up to ${t(queue, 'e2eMaxMs')} (p99 ${t(queue, 'e2eP99Ms')}) in queue mode, against ${t(shed, 'e2eMaxMs')} in shed mode.${budget}`,
    );
  }
  items.push(...night(input));
  const dlq =
    backends.queue === 'jetstream'
      ? `the ${queue.service.stream ?? '<stream>'}_DLQ stream`
      : 'a list in memory';
  items.push(
    design`an order that fails every attempt is retried (up to --max-attempts, 4 by default), then dead-lettered to ${dlq} and counted in work_done_total{status="error"}; someone must watch the dead letters.`,
    measured`This run injected no faults (the lab starts the service without --fail-rate), so it tests none of that: work_done_total{status="error"} counted ${n(queue, 'workError')} in queue mode${q.workError > 0 ? ', failures the lab did not cause (the service log says why)' : ''}.`,
    backends.queue === 'jetstream'
      ? design`if the NATS server is down or its disk is full, the intake cannot enqueue and answers 503 "unavailable": a refusal, not a loss, but the peak is no longer absorbed.`
      : design`if the process dies, every order waiting in memory is gone, and the clients cannot know which ones.`,
  );
  if (q.lost > 0 || q.rejected > 0 || !q.drained) {
    const left = q.drained
      ? frag``
      : q.backlogAtEnd === null
        ? frag`, and the watch ended without a reading of the backlog`
        : frag`, and the watch ended with ${n(queue, 'backlogAtEnd')} orders still waiting`;
    items.push(
      measured`This run shows it: ${n(queue, 'lost')} acknowledged orders lost, ${n(queue, 'rejected')} refused in queue mode${left}.`,
    );
  }
  return items;
}

/** Question 2, from the counts of both modes, the backlog as read, and the backend that held it. */
export function answerGuarantee(input: AnswerInput): Answer {
  return {
    question: GUARANTEE_QUESTION,
    paragraphs: [counts(input), backlog(input), ...durability(input), method`What can go wrong:`],
    items: wrong(input),
  };
}
