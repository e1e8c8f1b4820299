import type { Histogram } from './histogram.js';
import type { SecondStats } from './types.js';

/**
 * What one engine (the main thread, or one worker) measured. Histograms travel encoded, so parts
 * from worker threads merge exactly; `target` in the timeline is filled in by the merge.
 */
export interface PartResult {
  /** When this part's second 0 began, as epoch ms (shared by every thread of a run). */
  startEpochMs: number;
  /** The schedule's length (ms): --duration, or up to this part's last start. */
  durationMs: number;
  /** After the schedule, until this part's last outcome (ms). */
  drainMs: number;
  scheduled: number;
  started: number;
  completed: number;
  dropped: number;
  late: number;
  ok: number;
  failed: number;
  unfinished: number;
  bytesIn: number;
  bytesOut: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  timeline: SecondStats[];
  latencyHdr: string;
  serviceHdr: string;
  lagHdr: string;
  interrupted: boolean;
  /** With a trace-id prefix: the part's slowest requests as [latency ms, seq] (trace-propagate.ts). */
  slowest?: Array<[number, number]>;
  /**
   * The whole-run histograms themselves, when the part ran on the main thread: the merge then
   * uses them instead of decoding what it was just given. Never sent between threads.
   */
  live?: { latency: Histogram; service: Histogram; lag: Histogram };
}

export function emptySecond(second: number): SecondStats {
  return {
    second,
    phase: 'schedule',
    target: 0,
    started: 0,
    completed: 0,
    ok: 0,
    failed: 0,
    unfinished: 0,
    dropped: 0,
    late: 0,
    status: {},
    errors: {},
    bytesIn: 0,
    bytesOut: 0,
    p50Ms: 0,
    p90Ms: 0,
    p99Ms: 0,
    maxMs: 0,
  };
}

export function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Outcome counts by kind: responses by status, failures without one by error kind. */
export interface OutcomeCounts {
  readonly status: Record<string, number>;
  readonly errors: Record<string, number>;
}

/** Adds `from`'s status and error counts into `into` (merging threads, seconds or steps). */
export function addOutcomes(into: OutcomeCounts, from: OutcomeCounts): void {
  for (const k in from.status) bump(into.status, k, from.status[k]);
  for (const k in from.errors) bump(into.errors, k, from.errors[k]);
}

/** The status and error counts of all `parts` added up, in new records. */
export function sumOutcomes(parts: readonly OutcomeCounts[]): OutcomeCounts {
  const out: OutcomeCounts = { status: {}, errors: {} };
  for (const p of parts) addOutcomes(out, p);
  return out;
}
