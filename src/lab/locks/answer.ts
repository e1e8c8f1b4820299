import type { Mode } from '../../services/counter/ports.js';
import type { LockStep, LockStore } from './types.js';

const it = (n: number) => `${Math.round(n).toLocaleString('en-US')} it/s`;
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US')} ms`;
const times = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

function at(steps: readonly LockStep[], store: LockStore, mode: Mode, vus: number): LockStep | undefined {
  return steps.find((s) => s.store === store && s.mode === mode && s.vus === vus);
}

/** The question, answered per store from this run's steps; a sentence only for modes that ran. */
function perStore(steps: readonly LockStep[], store: LockStore): string[] {
  const mine = steps.filter((s) => s.store === store);
  if (mine.length === 0) return [];
  const levels = [...new Set(mine.map((s) => s.vus))].sort((a, b) => a - b);
  const low = levels[0]!;
  const top = levels.at(-1)!;
  const out: string[] = [];
  const aTop = at(mine, store, 'atomic', top);
  const mTop = at(mine, store, 'mutex', top);
  const qTop = at(mine, store, 'inputq', top);
  const mLow = at(mine, store, 'mutex', low);
  const qLow = at(mine, store, 'inputq', low);

  if (aTop && (mTop || qTop)) {
    const rivals = [mTop, qTop].filter((s): s is LockStep => s !== undefined);
    const best = rivals.reduce((a, b) => (b.throughput > a.throughput ? b : a));
    const exact = mine.filter((s) => s.mode === 'atomic').every((s) => s.exact);
    out.push(
      aTop.throughput >= best.throughput
        ? `Neither, when the store has an atomic operation (${store}): at ${top} VUs atomic made ${it(aTop.throughput)}, ` +
            `${times(aTop.throughput, best.throughput)} the best coordinated mode (${best.mode}, ${it(best.throughput)}), ` +
            `p99 ${ms(aTop.p99)} against ${ms(best.p99)}; ${exact ? 'exact in every step' : 'NOT exact in every step (see the table)'}.`
        : `Over ${store}, atomic (${it(aTop.throughput)} at ${top} VUs) did NOT beat ${best.mode} (${it(best.throughput)}) in this run.`,
    );
  }
  if (mTop && qTop) {
    const batch =
      qTop.meanBatch === null
        ? ''
        : `; its owner applied ${qTop.meanBatch.toFixed(1)} increments per store round trip`;
    out.push(
      qTop.throughput > mTop.throughput
        ? `A queue, when many callers contend for one read-modify-write that spans I/O (${store}): at ${top} VUs inputq made ` +
            `${it(qTop.throughput)}, ${times(qTop.throughput, mTop.throughput)} mutex (${it(mTop.throughput)}), p99 ${ms(qTop.p99)} against ${ms(mTop.p99)}${batch}.`
        : `Over ${store} at ${top} VUs, inputq (${it(qTop.throughput)}) did not beat mutex (${it(mTop.throughput)}) in this run${batch}.`,
    );
  }
  if (mLow && qLow && mTop) {
    const flat = mTop.throughput / Math.max(mLow.throughput, 1e-9);
    const mutexWins = levels.filter((v) => {
      const m = at(mine, store, 'mutex', v);
      const q = at(mine, store, 'inputq', v);
      return m !== undefined && q !== undefined && m.throughput >= q.throughput;
    });
    const lockLine =
      mLow.throughput >= qLow.throughput
        ? `a lock is enough at low concurrency: at ${low} VUs mutex made ${it(mLow.throughput)} against inputq's ${it(qLow.throughput)}`
        : mutexWins.length === 0
          ? `over ${store} it never beat the queue in this run, not even at ${low} VUs (mutex ${it(mLow.throughput)}, inputq ${it(qLow.throughput)}): its merit is simplicity, not speed`
          : `at ${low} VUs inputq (${it(qLow.throughput)}) beat mutex (${it(mLow.throughput)}); mutex matched or beat it only at ${mutexWins.join(', ')} VUs`;
    out.push(
      `A lock, when the critical section must span an await and there is no atomic operation: ${lockLine}. ` +
        `It serialises every read-modify-write: from ${low} to ${top} VUs its throughput changed ${flat.toFixed(2)}× ` +
        `(${it(mLow.throughput)} → ${it(mTop.throughput)}) while its p99 went from ${ms(mLow.p99)} to ${ms(mTop.p99)}.`,
    );
  }
  const unsafe = mine.filter((s) => s.mode === 'unsafe');
  if (unsafe.length > 0) {
    const lost = unsafe.reduce((n, s) => n + s.lost, 0);
    const ok = unsafe.reduce((n, s) => n + s.ok, 0);
    const worst = unsafe.reduce((a, b) => (b.lost / Math.max(b.ok, 1) > a.lost / Math.max(a.ok, 1) ? b : a));
    out.push(
      lost > 0
        ? `Never without protection (${store}): unsafe acknowledged ${ok.toLocaleString('en-US')} increments and lost ` +
            `${lost.toLocaleString('en-US')} of them (${((lost / Math.max(ok, 1)) * 100).toFixed(1)}%; worst at ${worst.vus} VUs: ` +
            `${worst.lost.toLocaleString('en-US')} of ${worst.ok.toLocaleString('en-US')}).`
        : `Over ${store}, unsafe lost no update in this run: its calls did not overlap inside the read-modify-write.`,
    );
  }
  return out;
}

/**
 * The seed's question for Node, from this run's steps only: when a lock, when a queue, when neither,
 * per store; then correctness across every safe step. Each sentence quotes the numbers it rests on.
 */
export function answerLocks(steps: readonly LockStep[]): Array<{ question: string; answer: string }> {
  const answers: Array<{ question: string; answer: string }> = [];
  for (const store of ['memory', 'redis'] as const) {
    const lines = perStore(steps, store);
    if (lines.length > 0)
      answers.push({
        question: `Over ${store}: when a lock, when a queue, when neither?`,
        answer: lines.join(' '),
      });
  }
  const safe = steps.filter((s) => s.mode !== 'unsafe');
  const inexact = safe.filter((s) => !s.exact);
  if (safe.length > 0) {
    answers.push({
      question: 'Did the safe modes keep every acknowledged increment?',
      answer:
        inexact.length === 0
          ? `Yes: in all ${safe.length} steps of mutex, inputq and atomic, the counter's total rose by exactly the number of successful increments.`
          : `NO in ${inexact.length} of ${safe.length} steps: ${inexact
              .map(
                (s) =>
                  `${s.mode}/${s.store}/${s.vus} VUs applied ${s.applied} for ${s.ok} OK (${s.failed} failed)`,
              )
              .join('; ')}.`,
    });
  }
  return answers;
}
