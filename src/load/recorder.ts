import { performance } from 'node:perf_hooks';
import { encode, type Histogram, newHistogram, percentileMs, recordMs } from './histogram.js';
import { bump, emptySecond, type PartResult } from './part-result.js';
import type { Exchange } from './transport.js';
import type { SecondStats } from './types.js';

/** Receives every request's one outcome, for the --jtl and --errors-log files. */
export interface ExchangeSink {
  /** A request that ended with a response or an error, at `endMs`. */
  record(x: Exchange, endMs: number): void;
  /** A start that was never sent (over --max-inflight, or queued when the run stopped). */
  dropped(intendedMs: number, second: number): void;
  /** A request still in flight when the run had to end, at `endMs`. */
  unfinished(x: Exchange, endMs: number): void;
}

type Totals = Omit<
  PartResult,
  'startEpochMs' | 'timeline' | 'latencyHdr' | 'serviceHdr' | 'lagHdr' | 'interrupted' | 'live'
>;

/**
 * Counts and times one engine's requests: whole-run HDR histograms, and a per-second timeline
 * whose seconds close (percentiles computed, histogram encoded) as wall-clock time passes them.
 *
 * Every instant maps to a defined second: before t0 (a start timer firing a little early, a thread
 * stopped before the shared start) is second 0; after the schedule, the drain seconds. Schedule
 * seconds always exist; a drain second exists only from the moment something ends in it (or in a
 * later one), so a run that drains instantly has no trailing empty second.
 */
export class Recorder {
  readonly latency = newHistogram();
  readonly service = newHistogram();
  readonly lag = newHistogram();
  readonly timeline: SecondStats[] = [];
  readonly totals: Totals = {
    durationMs: 0,
    drainMs: 0,
    scheduled: 0,
    started: 0,
    completed: 0,
    dropped: 0,
    late: 0,
    ok: 0,
    failed: 0,
    unfinished: 0,
    bytesIn: 0,
    bytesOut: 0,
    status: {},
    errors: {},
  };
  /** One histogram reused for every second: reset when its second closes. */
  private readonly secondHist: Histogram = newHistogram(2);
  private openSecond = 0;
  /** How many seconds the schedule has: unknown (Infinity) until the engine says when it ends. */
  private scheduleSeconds = Number.POSITIVE_INFINITY;
  /** When the last outcome was known (this thread's ms). */
  private lastEnd: number;

  constructor(
    private readonly t0: number,
    private readonly lateAfterMs: number,
    private readonly onSecond: ((s: SecondStats) => void) | undefined,
    private readonly sink: ExchangeSink | undefined,
  ) {
    this.lastEnd = t0;
  }

  /** The second an instant (this thread's performance.now() ms) falls in: never negative. */
  secondAt(ms: number): number {
    // NaN (no clock reading) is second 0 too.
    return Math.max(0, Math.floor((ms - this.t0) / 1000)) || 0;
  }

  /** Second `i` of the timeline (0 for anything below 0 or not a number), created with any before it. */
  second(i: number): SecondStats {
    const at = i > 0 ? Math.floor(i) : 0;
    while (this.timeline.length <= at) this.timeline.push(emptySecond(this.timeline.length));
    return this.timeline[at] as SecondStats;
  }

  /** The schedule ends `ms` after t0: seconds from ceil(ms / 1000) on are the drain. */
  scheduleEnds(ms: number): void {
    this.totals.durationMs = Math.max(0, ms);
    this.scheduleSeconds = Math.ceil(Math.max(0, ms) / 1000 - 1e-9);
  }

  /**
   * One start the schedule asked for; `lagMs`: how late the scheduler got to it (open model), kept
   * whole-run and as the max of the start's own `second`.
   */
  scheduled(lagMs?: number, second = 0): void {
    this.totals.scheduled++;
    if (lagMs === undefined) return;
    recordMs(this.lag, lagMs);
    const s = this.second(second);
    // A timer may fire a hair early: no lag. No clock reading (NaN): no lag either.
    const lag = Math.max(0, lagMs) || 0;
    if (s.lagMaxMs === undefined || lag > s.lagMaxMs) s.lagMaxMs = lag;
  }

  dropped(second: number, intendedMs: number): void {
    this.totals.dropped++;
    this.second(second).dropped++;
    this.sink?.dropped(intendedMs, Math.max(0, second) || 0);
  }

  sent(x: Exchange): void {
    const s = this.second(x.second);
    this.totals.started++;
    s.started++;
    if (x.sent - x.intended >= this.lateAfterMs) {
      this.totals.late++;
      s.late++;
    }
  }

  completed(x: Exchange, now: number): void {
    const sec = this.secondAt(now);
    const s = this.second(sec);
    this.closeBefore(sec);
    const t = this.totals;
    t.completed++;
    s.completed++;
    t.bytesIn += x.bytesIn;
    t.bytesOut += x.bytesOut;
    s.bytesIn = (s.bytesIn ?? 0) + x.bytesIn;
    s.bytesOut = (s.bytesOut ?? 0) + x.bytesOut;
    // One outcome: a status, or an error kind.
    if (x.error === '') {
      bump(t.status, x.status);
      bump(s.status, x.status);
    } else {
      bump(t.errors, x.error);
      bump(s.errors, x.error);
    }
    if (x.ok) {
      t.ok++;
      s.ok = (s.ok ?? 0) + 1;
    } else {
      t.failed++;
      s.failed = (s.failed ?? 0) + 1;
    }
    const latencyMs = now - x.intended;
    recordMs(this.latency, latencyMs);
    recordMs(this.service, now - x.sent);
    recordMs(this.secondHist, latencyMs);
    if (now > this.lastEnd) this.lastEnd = now;
    this.sink?.record(x, now);
  }

  /** A request still in flight when the run had to end: no outcome, never silently skipped. */
  unfinished(x: Exchange, now: number): void {
    const sec = this.secondAt(now);
    const s = this.second(sec);
    this.closeBefore(sec);
    this.totals.unfinished++;
    s.unfinished = (s.unfinished ?? 0) + 1;
    if (now > this.lastEnd) this.lastEnd = now;
    this.sink?.unfinished(x, now);
  }

  /**
   * Closes the seconds before `sec` that exist: every schedule second, and drain seconds that
   * something ended in (or before one that did). Computes percentiles; hands each to onSecond.
   */
  closeBefore(sec: number): void {
    while (
      this.openSecond < sec &&
      (this.openSecond < this.scheduleSeconds || this.openSecond < this.timeline.length)
    ) {
      const s = this.second(this.openSecond);
      const h = this.secondHist;
      s.phase = this.openSecond < this.scheduleSeconds ? 'schedule' : 'drain';
      s.p50Ms = percentileMs(h, 50);
      s.p90Ms = percentileMs(h, 90);
      s.p99Ms = percentileMs(h, 99);
      s.maxMs = h.totalCount === 0 ? 0 : h.maxValue / 1000;
      if (h.totalCount > 0) s.latencyHdr = encode(h);
      h.reset();
      this.openSecond++;
      this.onSecond?.(s);
    }
  }

  /** Closes the remaining seconds and returns this part's result. */
  finish(interrupted: boolean): PartResult {
    // Make sure every schedule second exists, even one nothing happened in.
    if (this.scheduleSeconds > 0 && Number.isFinite(this.scheduleSeconds))
      this.second(this.scheduleSeconds - 1);
    this.closeBefore(this.timeline.length);
    this.totals.drainMs = Math.max(0, this.lastEnd - this.t0 - this.totals.durationMs);
    return {
      ...this.totals,
      startEpochMs: performance.timeOrigin + this.t0,
      timeline: this.timeline,
      latencyHdr: encode(this.latency),
      serviceHdr: encode(this.service),
      lagHdr: encode(this.lag),
      interrupted,
      live: { latency: this.latency, service: this.service, lag: this.lag },
    };
  }
}
