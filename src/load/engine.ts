import { performance } from 'node:perf_hooks';
import type { PartResult } from './part-result.js';
import type { Profile } from './profile.js';
import { type ExchangeSink, Recorder } from './recorder.js';
import { Exchange, type Transport } from './transport.js';
import type { SecondStats } from './types.js';

/** The open-model scheduler's longest nap and final polling window before a start (ms). */
const NAP_MS = 0.05;
const SPIN_MS = 0.3;
const NAP_CELL = new Int32Array(new SharedArrayBuffer(4));
/**
 * The shortest gap between a share's starts (ms) that still gets precise starts (timer, naps, then
 * polling). Getting a start right to the microsecond costs ~0.6 ms of CPU (the 1.5–2 ms before it
 * are napped and polled), so below this gap the polling fills a growing part of a core (measured
 * against a bare server: 15 % at 200 starts/s, 70 % at 2,000/s, all of it at 10,000/s), taken from
 * the service under test when both share a machine. Shorter gaps run on ms timer ticks instead
 * (see `openTick`), so only up to 100 starts/s per share pay for µs-precise starts (≤ ~7 % of a
 * core). The tolerance: a 10 ms gap computed in floating point may come out a hair short.
 */
const PRECISE_GAP_MS = 10 - 1e-6;

/** This engine's share of the run: worker `index` of `count` (1 of 1 without --threads). */
export interface Share {
  index: number;
  count: number;
}

export interface EngineSettings {
  /** Open model when a profile is given, closed model (vus) otherwise. */
  profile: Profile | undefined;
  vus: number;
  thinkMs: number;
  durationMs: number | undefined;
  /** Total requests of the whole run (all shares). */
  requests: number | undefined;
  /** Open requests (in flight plus queued) of this share; 0 means no cap. */
  maxInflight: number;
  lateAfterMs: number;
  /** Open model: poll for precise starts whatever the gap (see PRECISE_GAP_MS). */
  preciseStarts: boolean;
  /** How long an interrupted run waits for requests in flight. */
  graceMs: number;
  /** How long a finished run waits for requests in flight (the request timeout, plus a little). */
  drainMs: number;
}

export interface EngineHooks {
  /**
   * When the schedule's second 0 begins, in this thread's performance.now() ms (default: now).
   * Worker threads get one shared instant, so their seconds line up.
   */
  t0?: number;
  signal?: AbortSignal;
  onSecond?: (s: SecondStats) => void;
  sink?: ExchangeSink;
}

/** Splits n into `count` near-equal parts and returns part `index`. */
export function shareOf(n: number, share: Share): number {
  return Math.floor(n / share.count) + (share.index < n % share.count ? 1 : 0);
}

/** The instant (ms after t0) the schedule ends when it is known up front, else undefined. */
function plannedEnd(s: EngineSettings): number | undefined {
  let end = s.durationMs ?? Number.POSITIVE_INFINITY;
  // Open model with --requests: the schedule is [0, t) where the profile's integral reaches N.
  if (s.profile && s.requests !== undefined) end = Math.min(end, s.profile.timeOf(s.requests, 0) * 1000);
  return Number.isFinite(end) ? end : undefined;
}

/**
 * Drives one transport: schedules starts (open model) or loops virtual users (closed model),
 * queues what exceeds the transport's capacity so service time is measured from the real send,
 * and hands every outcome to the recorder. Every started request ends in exactly one of: an
 * outcome from the transport, or "unfinished" when the run has to end; every start that is never
 * sent is dropped.
 */
export function runEngine(
  s: EngineSettings,
  transport: Transport,
  share: Share,
  hooks: EngineHooks = {},
): Promise<PartResult> {
  const t0 = hooks.t0 ?? performance.now();
  const rec = new Recorder(t0, s.lateAfterMs, hooks.onSecond, hooks.sink);
  const planned = plannedEnd(s);
  if (planned !== undefined) rec.scheduleEnds(planned);
  const queue: Exchange[] = [];
  let queueHead = 0;
  let inflight = 0;
  /** The exchanges in flight, newest first: an intrusive list, for counting them unfinished. */
  let flying: Exchange | undefined;
  let scheduling = true;
  let interrupted = false;
  let finished = false;
  let localSeq = 0;
  let issuedClosed = 0;
  const closedLimit = s.requests === undefined ? Number.POSITIVE_INFINITY : shareOf(s.requests, share);
  const timers = new Set<NodeJS.Timeout>();
  let resolveRun: (r: PartResult) => void = () => {};

  const send = (x: Exchange, now: number): void => {
    x.sent = now;
    inflight++;
    x.next = flying;
    if (flying) flying.prev = x;
    flying = x;
    rec.sent(x);
    transport.send(x, onDone);
  };

  /** Starts (or queues, or drops) request `seq`, due at `intendedMs` in second `second` of the run. */
  const issue = (seq: number, intendedMs: number, second: number, now: number): void => {
    // The scheduler's own lag: how late it got to this start, before any wait for a connection.
    // A closed-model start is due when it is issued: it has none, and records none.
    if (s.profile) rec.scheduled(now - intendedMs, second);
    else rec.scheduled();
    const open = inflight + queue.length - queueHead;
    if (s.maxInflight > 0 && open >= s.maxInflight) {
      rec.dropped(second, intendedMs);
      return;
    }
    const x = new Exchange(seq, second);
    x.intended = intendedMs;
    if (inflight < transport.capacity) send(x, now);
    else queue.push(x);
  };

  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const issueClosed = (): void => {
    if (!scheduling || issuedClosed >= closedLimit) return;
    issuedClosed++;
    const seq = localSeq++ * share.count + share.index;
    const now = performance.now();
    // A user's start takes its second from the clock; a timer firing just before t0 is second 0.
    issue(seq, now, rec.secondAt(now), now);
    if (issuedClosed >= closedLimit) stopScheduling(false);
  };

  function onDone(x: Exchange): void {
    if (finished) return;
    const now = performance.now();
    inflight--;
    if (x.prev) x.prev.next = x.next;
    else flying = x.next;
    if (x.next) x.next.prev = x.prev;
    x.prev = undefined;
    x.next = undefined;
    rec.completed(x, now);
    if (queueHead < queue.length) {
      const next = queue[queueHead] as Exchange;
      queue[queueHead++] = undefined as unknown as Exchange;
      if (queueHead > 1024 && queueHead * 2 > queue.length) {
        queue.splice(0, queueHead);
        queueHead = 0;
      }
      send(next, now);
    }
    // Closed model: this user loops (its next request queues if connections are all busy).
    if (scheduling && s.profile === undefined) {
      if (s.thinkMs > 0) later(issueClosed, s.thinkMs);
      else issueClosed();
    }
    if (!scheduling) maybeFinish();
    // Open model: a response is also a chance to start what has come due since the last timer
    // tick, for free (the loop is awake anyway), so at high rates most starts go out before it.
    // openTick's own timer stays armed: it ends the schedule, and catches up if no response comes.
    else if (profile && !starting && t0 + next.t * 1000 <= now) startDue(profile);
  }

  const maybeFinish = (): void => {
    if (!finished && inflight === 0 && queueHead >= queue.length) finish();
  };

  const dropQueued = (): void => {
    for (let i = queueHead; i < queue.length; i++) {
      const x = queue[i] as Exchange;
      rec.dropped(x.second, x.intended);
    }
    queue.length = 0;
    queueHead = 0;
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    for (const t of timers) clearTimeout(t);
    const now = performance.now();
    // Whatever is still queued was never sent: dropped. Whatever is in flight has no outcome yet.
    dropQueued();
    for (let x = flying; x; x = x.next) rec.unfinished(x, now);
    flying = undefined;
    resolveRun(rec.finish(interrupted));
  };

  function stopScheduling(byAbort: boolean): void {
    if (!scheduling) return;
    scheduling = false;
    const elapsed = performance.now() - t0;
    if (byAbort) {
      interrupted = true;
      rec.scheduleEnds(Math.min(planned ?? Number.POSITIVE_INFINITY, elapsed));
      // Stop means stop: queued requests are dropped now, in-flight ones get a short grace.
      dropQueued();
    } else if (planned === undefined || s.profile === undefined) {
      // Known only now: the closed model's last start (its --requests came first), or a profile
      // that has nothing more to start. The open model's planned end is exact: it stays.
      rec.scheduleEnds(Math.min(planned ?? Number.POSITIVE_INFINITY, elapsed));
    }
    later(finish, byAbort ? s.graceMs : s.drainMs);
    maybeFinish();
  }
  // Open model: the k-th request (k = index, index+count, ...) starts where integral(t) passes k,
  // so [0, T) holds ceil(integral(T)) starts and a zero rate starts none.
  const profile = s.profile;
  const endS = s.durationMs === undefined ? Number.POSITIVE_INFINITY : s.durationMs / 1000;
  const limit = s.requests ?? Number.POSITIVE_INFINITY;
  const next = { k: share.index, t: profile ? profile.startOf(share.index, 0) : 0 };
  /** When (s) this share's previous start was due: with `next.t`, the gap that picks the timing. */
  let prevT = Number.NEGATIVE_INFINITY;
  /** Set while startDue runs: a request that ends synchronously must not start `next` twice. */
  let starting = false;

  /** Starts every request due by now; false once the profile has nothing more to start. */
  function startDue(p: Profile): boolean {
    starting = true;
    try {
      const elapsedS = (performance.now() - t0) / 1000;
      while (next.t <= elapsedS && next.t < endS && next.k < limit) {
        // The second comes from the schedule itself: (t0 + t·1000 − t0) / 1000 may round to just
        // under a boundary, and a start due at 1.0 s would be counted in second 0. So may t itself.
        issue(next.k, t0 + next.t * 1000, Math.floor(next.t + 1e-9), performance.now());
        prevT = next.t;
        next.k += share.count;
        next.t = p.startOf(next.k, next.t);
      }
    } finally {
      starting = false;
    }
    return next.t < endS && next.k < limit && Number.isFinite(next.t);
  }

  const openTick = (): void => {
    if (!scheduling || !profile) return;
    if (!startDue(profile)) {
      // With a duration, its timer ends the run (so it lasts what was asked); else end now.
      if (s.durationMs === undefined || next.k >= limit) stopScheduling(false);
      return;
    }
    const delay = t0 + next.t * 1000 - performance.now();
    // Dense schedule: no polling. The loop blocks in epoll until the timer's next ms tick (or a
    // response, see onDone) and everything due by then starts at once, so the CPU used follows the
    // requests, not the wall clock. The price: a start goes out up to ~1 ms (a tick) after its
    // intended time. That is recorded as scheduling lag and counted in the latency, which runs
    // from the intended start, so it can only make results look worse, never hide a stall.
    if (!s.preciseStarts && (next.t - prevT) * 1000 < PRECISE_GAP_MS) {
      later(openTick, delay);
      return;
    }
    // Sparse schedule: timers are only ms-precise, so sleep until just before the due time, then
    // nap and poll via setImmediate.
    if (delay > 2) {
      later(openTick, delay - 1.5);
      return;
    }
    // Close to a start: nap in short slices, then poll for the last SPIN_MS. A napping thread costs
    // no CPU and the kernel wakes it promptly; between naps, setImmediate lets responses be handled,
    // so their timestamps are late by at most one nap. Polling only at the very end keeps starts
    // precise for ~0.6 ms of CPU per start: cheap only while starts are PRECISE_GAP_MS apart.
    if (delay > SPIN_MS) Atomics.wait(NAP_CELL, 0, 0, Math.min(delay - SPIN_MS, NAP_MS));
    setImmediate(openTick);
  };

  const endOfDuration = (): void => {
    // Timers run on the loop's cached clock and may fire up to ~1 ms early: wait out the rest, so
    // the starts due in the last millisecond are not lost.
    const rest = t0 + (s.durationMs ?? 0) - performance.now();
    if (rest > 0) {
      later(endOfDuration, rest);
      return;
    }
    if (profile && scheduling) startDue(profile);
    stopScheduling(false);
  };

  // Seconds close on wall-clock boundaries, so onSecond fires even when nothing completes.
  const secondTick = (): void => {
    const sec = rec.secondAt(performance.now());
    rec.closeBefore(sec);
    if (!finished) later(secondTick, t0 + (sec + 1) * 1000 + 2 - performance.now());
  };

  const startUsers = (): void => {
    if (!scheduling) return;
    const vus = shareOf(s.vus, share);
    for (let i = 0; i < vus; i++) issueClosed();
    if (vus === 0) stopScheduling(false);
  };

  const onAbort = (): void => stopScheduling(true);
  return new Promise<PartResult>((resolve) => {
    resolveRun = resolve;
    if (hooks.signal?.aborted) {
      stopScheduling(true);
      return;
    }
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    // Every timer counts from t0, which may lie a little ahead (a shared start across threads).
    const untilStart = Math.max(0, t0 - performance.now());
    later(secondTick, untilStart + 1002);
    if (s.durationMs !== undefined) later(endOfDuration, untilStart + s.durationMs);
    if (profile) openTick();
    else if (untilStart > 0) later(startUsers, untilStart);
    else startUsers();
  }).finally(() => hooks.signal?.removeEventListener('abort', onAbort));
}
