import { performance } from 'node:perf_hooks';
import { encode, type Histogram, newHistogram, percentileMs, recordMs, summarize } from '../histogram.js';
import { bump } from '../part-result.js';
import type { StepResult, StepSecond } from './types.js';

/** How many distinct step names a run may have: a name per URL (ids in paths) would grow without end. */
export const MAX_STEP_NAMES = 100;

/** A second of a step with nothing in it yet. */
export function emptyStepSecond(second: number): StepSecond {
  return {
    second,
    started: 0,
    completed: 0,
    ok: 0,
    failed: 0,
    unfinished: 0,
    status: {},
    errors: {},
    p50Ms: 0,
    p90Ms: 0,
    p99Ms: 0,
    maxMs: 0,
  };
}

/** One step's counts and histograms; its seconds close (percentiles computed) as time passes them. */
class StepRecorder {
  readonly latency = newHistogram();
  readonly service = newHistogram();
  readonly timeline: StepSecond[] = [];
  readonly totals = { started: 0, completed: 0, ok: 0, failed: 0, unfinished: 0 };
  readonly status: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  private readonly secondHist: Histogram = newHistogram(2);
  /** The second secondHist holds; earlier seconds are closed. */
  private open = 0;

  /** When the step was first called (epoch ms): threads' steps merge in this order. */
  readonly firstEpochMs = performance.timeOrigin + performance.now();

  constructor(readonly name: string) {}

  second(i: number): StepSecond {
    while (this.timeline.length <= i) this.timeline.push(emptyStepSecond(this.timeline.length));
    return this.timeline[i] as StepSecond;
  }

  /** Closes seconds before `sec`: outcomes arrive in time order, so a closed second gets no more. */
  closeBefore(sec: number): void {
    if (sec <= this.open) return;
    const h = this.secondHist;
    if (h.totalCount > 0) {
      const s = this.second(this.open);
      s.p50Ms = percentileMs(h, 50);
      s.p90Ms = percentileMs(h, 90);
      s.p99Ms = percentileMs(h, 99);
      s.maxMs = h.maxValue / 1000;
      s.latencyHdr = encode(h);
      h.reset();
    }
    this.open = sec;
  }

  record(sec: number, latencyMs: number, serviceMs: number | undefined): void {
    this.closeBefore(sec);
    recordMs(this.latency, latencyMs);
    if (serviceMs !== undefined) recordMs(this.service, serviceMs);
    recordMs(this.secondHist, latencyMs);
  }
}

/**
 * Per-step accounting of a scenario run, on the engine's clock (t0: second 0 of the schedule).
 * Every step called has one outcome: a status (ok or failed by the step's rule), an error kind,
 * or unfinished when the run ends first.
 */
export class StepStats {
  private readonly steps = new Map<string, StepRecorder>();

  constructor(private readonly t0: number) {}

  secondAt(ms: number): number {
    return Math.max(0, Math.floor((ms - this.t0) / 1000)) || 0;
  }

  /** The recorder of step `name`, or undefined when the run already has MAX_STEP_NAMES others. */
  step(name: string): StepRecorder | undefined {
    let s = this.steps.get(name);
    if (!s) {
      if (this.steps.size >= MAX_STEP_NAMES) return undefined;
      s = new StepRecorder(name);
      this.steps.set(name, s);
    }
    return s;
  }

  started(step: StepRecorder, atMs: number): void {
    step.totals.started++;
    step.second(this.secondAt(atMs)).started++;
  }

  /** An outcome: `status` ("200") or `error` ("timeout"); exactly one of them is non-empty. */
  completed(
    step: StepRecorder,
    o: { status: string; error: string; ok: boolean; calledMs: number; sentMs: number | undefined },
    nowMs: number,
  ): void {
    const sec = this.secondAt(nowMs);
    const s = step.second(sec);
    step.totals.completed++;
    s.completed++;
    if (o.error === '') {
      bump(step.status, o.status);
      bump(s.status, o.status);
    } else {
      bump(step.errors, o.error);
      bump(s.errors, o.error);
    }
    if (o.ok) {
      step.totals.ok++;
      s.ok++;
    } else {
      step.totals.failed++;
      s.failed++;
    }
    step.record(sec, nowMs - o.calledMs, o.sentMs === undefined ? undefined : nowMs - o.sentMs);
  }

  unfinished(step: StepRecorder, nowMs: number): void {
    step.totals.unfinished++;
    step.second(this.secondAt(nowMs)).unfinished++;
  }

  /** When each step was first called (epoch ms), in the order of `finish`'s results. */
  firstCalled(): number[] {
    return [...this.steps.values()].map((s) => s.firstEpochMs);
  }

  /** The steps' results, in the order they were first called; `seconds`: the run's timeline length. */
  finish(seconds: number): StepResult[] {
    return [...this.steps.values()].map((s) => {
      s.closeBefore(Number.MAX_SAFE_INTEGER);
      if (seconds > 0) s.second(seconds - 1);
      return {
        name: s.name,
        ...s.totals,
        status: s.status,
        errors: s.errors,
        latency: summarize(s.latency),
        serviceTime: summarize(s.service),
        timeline: s.timeline,
        histograms: { latency: encode(s.latency), serviceTime: encode(s.service) },
      };
    });
  }
}

export type { StepRecorder };
