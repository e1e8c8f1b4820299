import { encode, mergeEncoded, percentileMs, summarize } from '../histogram.js';
import { addOutcomes, bump, sumOutcomes } from '../part-result.js';
import type { ScenarioPart } from './part.js';
import { emptyStepSecond } from './step-stats.js';
import type { StepResult, StepSecond } from './types.js';

/** Adds each second of `from` into `into` (counts only; the percentiles come from the merged histograms). */
function addSeconds(into: StepSecond[], from: readonly StepSecond[]): void {
  for (const s of from) {
    while (into.length <= s.second) into.push(emptyStepSecond(into.length));
    const t = into[s.second] as StepSecond;
    t.started += s.started;
    t.completed += s.completed;
    t.ok += s.ok;
    t.failed += s.failed;
    t.unfinished += s.unfinished;
    addOutcomes(t, s);
  }
}

/** One step from every thread that called it: counts summed, histograms merged (as flows are). */
function mergeStep(name: string, parts: readonly StepResult[]): StepResult {
  if (parts.length === 1) return parts[0] as StepResult;
  const timeline: StepSecond[] = [];
  for (const p of parts) addSeconds(timeline, p.timeline);
  for (const t of timeline) {
    const hdrs = parts.map((p) => p.timeline[t.second]?.latencyHdr).filter((h) => h !== undefined);
    if (hdrs.length === 0) continue;
    const h = mergeEncoded(hdrs, 2);
    t.p50Ms = percentileMs(h, 50);
    t.p90Ms = percentileMs(h, 90);
    t.p99Ms = percentileMs(h, 99);
    t.maxMs = h.maxValue / 1000;
    t.latencyHdr = encode(h);
  }
  const latency = mergeEncoded(parts.map((p) => p.histograms.latency));
  const service = mergeEncoded(parts.map((p) => p.histograms.serviceTime));
  const sum = (f: (s: StepResult) => number) => parts.reduce((n, s) => n + f(s), 0);
  const { status, errors } = sumOutcomes(parts);
  return {
    name,
    started: sum((s) => s.started),
    completed: sum((s) => s.completed),
    ok: sum((s) => s.ok),
    failed: sum((s) => s.failed),
    unfinished: sum((s) => s.unfinished),
    status,
    errors,
    latency: summarize(latency),
    serviceTime: summarize(service),
    timeline,
    histograms: { latency: encode(latency), serviceTime: encode(service) },
  };
}

/**
 * The run's steps from its threads' parts: each step's counts, per-second timelines and HDR
 * histograms merged across the threads that called it, in the order steps were first called in the
 * run; every timeline padded to `seconds` (the run's timeline length), as one thread's would be.
 */
export function mergeSteps(parts: readonly ScenarioPart[], seconds: number): StepResult[] {
  const byName = new Map<string, { first: number; parts: StepResult[] }>();
  for (const p of parts) {
    p.steps.forEach((s, i) => {
      const first = p.stepFirstEpochMs[i] ?? Number.POSITIVE_INFINITY;
      const e = byName.get(s.name);
      if (e) {
        e.first = Math.min(e.first, first);
        e.parts.push(s);
      } else byName.set(s.name, { first, parts: [s] });
    });
  }
  return [...byName.entries()]
    .sort((a, b) => a[1].first - b[1].first)
    .map(([name, e]) => {
      const step = mergeStep(name, e.parts);
      while (step.timeline.length < seconds) step.timeline.push(emptyStepSecond(step.timeline.length));
      return step;
    });
}

/** The run's named counters: each thread's, summed by name. */
export function mergeCounters(parts: readonly ScenarioPart[]): Record<string, number> {
  if (parts.length === 1) return (parts[0] as ScenarioPart).counters;
  const out: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.counters)) bump(out, k, v);
  return out;
}
