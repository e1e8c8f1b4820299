import type { BurstSecond, ModeResult } from './analysis.js';
import type { BurstSettings } from './settings.js';

export interface BurstAnswer {
  readonly question: string;
  readonly answer: string;
  /**
   * What the answer rests on: measured (this run's numbers), model (computed from them, e.g.
   * Little's law), design (what the code guarantees, not tested by this run).
   */
  readonly basis: 'measured' | 'measured + design' | 'measured + model + design';
}

const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);

/**
 * The run's own noise for a latency figure, in ms: twice the standard error of the paired
 * per-second differences (after-parse minus durable, same second of the same schedule). Null with
 * fewer than 3 seconds where both modes answered.
 */
export function pairedNoiseMs(
  late: readonly BurstSecond[],
  early: readonly BurstSecond[],
  key: 'p50Ms' | 'p99Ms',
): number | null {
  const d: number[] = [];
  for (let i = 0; i < Math.min(late.length, early.length); i++) {
    const a = late[i]?.[key];
    const b = early[i]?.[key];
    if (a !== null && a !== undefined && b !== null && b !== undefined) d.push(a - b);
  }
  if (d.length < 3) return null;
  const mean = d.reduce((x, y) => x + y, 0) / d.length;
  const variance = d.reduce((x, y) => x + (y - mean) ** 2, 0) / (d.length - 1);
  // 0.01 ms: the resolution the per-second figures are kept at.
  return Math.max(0.01, 2 * Math.sqrt(variance / d.length));
}

/** "p50 X after parsing vs Y once durable: <direction>", a direction only beyond the noise. */
function compare(name: string, late: number, early: number, noise: number | null): string {
  const head = `${name} ${ms(late)} after parsing vs ${ms(early)} once durable`;
  if (noise === null) return `${head} (too few seconds to estimate the noise: no difference claimed)`;
  const d = early - late;
  if (Math.abs(d) <= noise) {
    return `${head}: no measurable difference (the run's noise is ±${ms(noise)}, twice the standard error of the per-second differences)`;
  }
  return `${head}: durable ${d < 0 ? 'faster' : 'slower'} by ${ms(Math.abs(d))} (beyond the run's noise of ±${ms(noise)})`;
}

function worstSecond(late: ModeResult, early: ModeResult): string {
  const a = late.http.worstSecondP99Ms;
  const b = early.http.worstSecondP99Ms;
  const head = `worst second's p99 ${ms(a)} after parsing vs ${ms(b)} once durable`;
  if (a === null || b === null || a === b) return head;
  return `${head} (${b > a ? 'durable' : 'after parsing'} worse by ${ms(Math.abs(b - a))}; one second each, so no noise estimate)`;
}

/** The lab's three questions, answered from this run's numbers; `late` is after-parse, `early` durable. */
export function answerBurst(early: ModeResult, late: ModeResult, s: BurstSettings): BurstAnswer[] {
  const latency: BurstAnswer = {
    question: 'Did the early acknowledgement change latency?',
    answer:
      `Under the same burst (${s.peakRps}/s for ${s.stepMs / 1000} s), timed from each request's intended start: ` +
      `${compare('p50', late.http.p50Ms, early.http.p50Ms, pairedNoiseMs(late.seconds, early.seconds, 'p50Ms'))}; ` +
      `${compare('p99', late.http.p99Ms, early.http.p99Ms, pairedNoiseMs(late.seconds, early.seconds, 'p99Ms'))}; ` +
      `${worstSecond(late, early)}.`,
    basis: 'measured',
  };
  const drain =
    early.drainAfterBurstS === null
      ? 'no ticket was stored'
      : early.peakBacklog === 0
        ? 'the workers kept up: no second ended with a backlog'
        : `the backlog peaked at ${early.peakBacklog} tickets (second ${early.peakBacklogSecond}) and the last ticket ` +
          `was treated ${early.drainAfterBurstS} s after the burst ended${early.drained ? '' : ' (not drained within the wait)'}`;
  const inside =
    late.peakBacklog === 0
      ? 'no second ended with a ticket between its insert and its parse'
      : `by the timestamps, up to ${late.peakBacklog} tickets at once (second ${late.peakBacklogSecond}) were between ` +
        `their insert and their parse, treated at ${late.treatRateWhileBackloggedPerS ?? 'n/a'}/s while any were; ` +
        'these sat inside their requests’ own transactions, before any 202';
  const lag: BurstAnswer = {
    question: 'How long did "treated" lag behind "received"?',
    answer:
      `Acknowledging once durable: treated_at - received_at p50 ${ms(early.lag.p50Ms)}, p99 ${ms(early.lag.p99Ms)}, ` +
      `max ${ms(early.lag.maxMs)}; ${drain}. After parsing: p50 ${ms(late.lag.p50Ms)}, max ${ms(late.lag.maxMs)}; ` +
      `${inside} (the parse is inside the acknowledging transaction).`,
    basis: 'measured',
  };
  const rate = early.treatRateWhileBackloggedPerS;
  const catchUp =
    early.peakBacklog === 0 || rate === null || rate === 0
      ? 'nothing to catch up'
      : `about ${Math.ceil(early.peakBacklog / rate)} s of catching up after the restart (a model: the peak over the ${rate} tickets/s the workers treated while backlogged)`;
  const inFlight = (m: ModeResult) => Math.round((s.peakRps * m.http.serviceP50Ms) / 1000);
  const lateRollback =
    late.peakBacklog === 0
      ? ''
      : ` The up to ${late.peakBacklog} tickets caught between insert and parse were in uncommitted transactions: a crash rolls them back (design), and as they had no 202 their senders retry.`;
  const crash: BurstAnswer = {
    question: 'What would a crash at the peak have cost in each mode?',
    answer:
      `Durable acknowledgement: the ${early.peakBacklog} acknowledged-but-untreated tickets at the peak (measured) are ` +
      `committed rows, so none is lost (design, proven by the SIGKILL test); the cost is ${catchUp}. After parsing: ` +
      'nothing acknowledged is lost either and nothing committed waits to be treated (design).' +
      `${lateRollback} In both modes the requests inside the service at the crash get no answer and must be retried ` +
      '(without an Idempotency-Key, a retry of one that committed just before the crash is stored twice): by ' +
      `Little's law, a model and not a measurement, about ${inFlight(early)} (durable) and ${inFlight(late)} (after ` +
      `parsing) at the peak: the peak rate ${s.peakRps}/s times the service-time p50 (${ms(early.http.serviceP50Ms)} / ` +
      `${ms(late.http.serviceP50Ms)}, timed from the actual send; the p50 from the intended start also counts the wait ` +
      "in the load generator's own queue, which the service never saw). The seed's in-memory fallback queue would " +
      'have lost whatever it held (design of the seed, not measured).',
    basis: 'measured + model + design',
  };
  return [latency, lag, crash];
}
