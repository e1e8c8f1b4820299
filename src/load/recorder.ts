import { performance } from 'node:perf_hooks';
import { encode, type Histogram, newHistogram, percentileMs, recordMs } from './histogram.js';
import { bump, emptySecond, type PartResult } from './part-result.js';
import type { Exchange } from './transport.js';
import type { SecondStats } from './types.js';

/** Receives every finished exchange, for the --jtl and --errors-log files. */
export interface ExchangeSink {
  record(x: Exchange, endMs: number): void;
}

/**
 * Counts and times one engine's exchanges: whole-run HDR histograms, and a per-second timeline
 * whose seconds close (percentiles computed, histogram encoded) as wall-clock time passes them.
 */
export class Recorder {
  readonly latency = newHistogram();
  readonly service = newHistogram();
  readonly lag = newHistogram();
  readonly timeline: SecondStats[] = [];
  readonly totals: Omit<
    PartResult,
    'startEpochMs' | 'timeline' | 'latencyHdr' | 'serviceHdr' | 'lagHdr' | 'interrupted'
  > = {
    durationMs: 0,
    scheduled: 0,
    started: 0,
    completed: 0,
    dropped: 0,
    late: 0,
    ok: 0,
    failed: 0,
    bytesIn: 0,
    bytesOut: 0,
    status: {},
    errors: {},
  };
  /** One histogram reused for every second: reset when its second closes. */
  private readonly secondHist: Histogram = newHistogram(2);
  private openSecond = 0;

  constructor(
    private readonly t0: number,
    private readonly lateAfterMs: number,
    private readonly onSecond: ((s: SecondStats) => void) | undefined,
    private readonly sink: ExchangeSink | undefined,
  ) {}

  second(i: number): SecondStats {
    while (this.timeline.length <= i) this.timeline.push(emptySecond(this.timeline.length));
    return this.timeline[i] as SecondStats;
  }

  scheduled(lagMs: number): void {
    this.totals.scheduled++;
    recordMs(this.lag, lagMs);
  }

  dropped(second: number): void {
    this.totals.dropped++;
    this.second(second).dropped++;
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
    const sec = Math.floor((now - this.t0) / 1000);
    this.closeBefore(sec);
    const s = this.second(sec);
    const t = this.totals;
    t.completed++;
    s.completed++;
    t.bytesIn += x.bytesIn;
    t.bytesOut += x.bytesOut;
    s.bytesIn = (s.bytesIn ?? 0) + x.bytesIn;
    s.bytesOut = (s.bytesOut ?? 0) + x.bytesOut;
    if (x.status !== '') {
      bump(t.status, x.status);
      bump(s.status, x.status);
    }
    if (x.error !== '') {
      bump(t.errors, x.error);
      bump(s.errors, x.error);
    }
    if (x.ok) t.ok++;
    else t.failed++;
    const latencyMs = now - x.intended;
    recordMs(this.latency, latencyMs);
    recordMs(this.service, now - x.sent);
    recordMs(this.secondHist, latencyMs);
    this.sink?.record(x, now);
  }

  /** Requests still in flight when the run had to end: failed, never silently skipped. */
  unfinished(count: number, now: number): void {
    if (count <= 0) return;
    const s = this.second(Math.floor((now - this.t0) / 1000));
    this.totals.completed += count;
    this.totals.failed += count;
    bump(this.totals.errors, 'unfinished', count);
    bump(s.errors, 'unfinished', count);
    s.completed += count;
  }

  /** Closes every second before `sec`: computes its percentiles and hands it to onSecond. */
  closeBefore(sec: number): void {
    while (this.openSecond < sec) {
      const s = this.second(this.openSecond);
      const h = this.secondHist;
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

  finish(durationMs: number, interrupted: boolean, endMs: number): PartResult {
    this.closeBefore(Math.floor((endMs - this.t0) / 1000) + 1);
    return {
      ...this.totals,
      startEpochMs: performance.timeOrigin + this.t0,
      durationMs,
      timeline: this.timeline,
      latencyHdr: encode(this.latency),
      serviceHdr: encode(this.service),
      lagHdr: encode(this.lag),
      interrupted,
    };
  }
}
