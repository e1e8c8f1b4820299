import { encode, mergeEncoded, percentileMs, summarize } from './histogram.js';
import { DEFAULT_OK_STATUS } from './ok-status.js';
import type { Resolved } from './options.js';
import { addOutcomes, emptySecond, type PartResult, sumOutcomes } from './part-result.js';
import type { Profile } from './profile.js';
import { slowestOf } from './trace-propagate.js';
import type { LoadOptions, LoadResult, SecondStats } from './types.js';

/** Headers whose values are credentials: result files get shared, so their values are not kept. */
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

export function redactHeaders(
  headers: LoadOptions['headers'],
): ReadonlyArray<readonly [string, string]> | undefined {
  return headers?.map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) ? '[redacted]' : v] as const);
}

/** The profile's target for second `s`: how many starts it asks for in [s, s+1) within the run. */
export function targetOf(profile: Profile | undefined, durationS: number, s: number): number {
  if (!profile) return 0;
  const end = Math.min(s + 1, durationS);
  return end <= s ? 0 : profile.integral(end) - profile.integral(s);
}

/**
 * Wraps a per-second callback so each second it reports carries its target (`targetOf`); the
 * drain starts nothing, so its target is 0 whatever the profile would ask for. Undefined in, out.
 */
export function withSecondTarget(
  profile: Profile | undefined,
  durationMs: number | undefined,
  onSecond: ((s: SecondStats) => void) | undefined,
): ((s: SecondStats) => void) | undefined {
  if (!onSecond) return undefined;
  const durationS = (durationMs ?? Number.POSITIVE_INFINITY) / 1000;
  return (s) => {
    s.target = s.phase === 'drain' ? 0 : targetOf(profile, durationS, s.second);
    onSecond(s);
  };
}

/** Merges one second from every part; the percentiles come from the merged histograms. */
export function mergeSecond(parts: readonly SecondStats[], second: number, target: number): SecondStats {
  const out = emptySecond(second);
  out.target = target;
  // A second is the drain's only when every part says so (parts may end their schedules apart).
  out.phase = parts.length > 0 && parts.every((p) => p.phase === 'drain') ? 'drain' : 'schedule';
  for (const p of parts) {
    out.started += p.started;
    out.completed += p.completed;
    out.ok = (out.ok ?? 0) + (p.ok ?? 0);
    out.failed = (out.failed ?? 0) + (p.failed ?? 0);
    out.unfinished = (out.unfinished ?? 0) + (p.unfinished ?? 0);
    out.dropped += p.dropped;
    out.late += p.late;
    out.bytesIn = (out.bytesIn ?? 0) + (p.bytesIn ?? 0);
    out.bytesOut = (out.bytesOut ?? 0) + (p.bytesOut ?? 0);
    addOutcomes(out, p);
    if (p.lagMaxMs !== undefined) out.lagMaxMs = Math.max(out.lagMaxMs ?? 0, p.lagMaxMs);
  }
  if (parts.length === 1) {
    const [only] = parts as [SecondStats];
    Object.assign(out, { p50Ms: only.p50Ms, p90Ms: only.p90Ms, p99Ms: only.p99Ms, maxMs: only.maxMs });
    if (only.latencyHdr) out.latencyHdr = only.latencyHdr;
    return out;
  }
  const h = mergeEncoded(
    parts.map((p) => p.latencyHdr),
    2,
  );
  if (h.totalCount > 0) {
    out.p50Ms = percentileMs(h, 50);
    out.p90Ms = percentileMs(h, 90);
    out.p99Ms = percentileMs(h, 99);
    out.maxMs = h.maxValue / 1000;
    out.latencyHdr = encode(h);
  }
  return out;
}

/** Builds the run's result from its parts (one per thread). */
export function buildResult(r: Resolved, parts: readonly PartResult[]): LoadResult {
  // The run's schedule ends with its last part's; the drain, with its last outcome.
  const durationMs = Math.max(...parts.map((p) => p.durationMs));
  const drainMs = Math.max(0, ...parts.map((p) => p.durationMs + p.drainMs - durationMs));
  const durationS = durationMs / 1000;
  const scheduleSeconds = Math.ceil(durationS - 1e-9);
  const seconds = Math.max(...parts.map((p) => p.timeline.length));
  const timeline: SecondStats[] = [];
  for (let s = 0; s < seconds; s++) {
    const here = parts.map((p) => p.timeline[s]).filter((x): x is SecondStats => x !== undefined);
    const merged = mergeSecond(here, s, targetOf(r.engine.profile, durationS, s));
    merged.phase = s < scheduleSeconds ? 'schedule' : 'drain';
    timeline.push(merged);
  }
  const sum = (f: (p: PartResult) => number) => parts.reduce((n, p) => n + f(p), 0);
  const { status, errors } = sumOutcomes(parts);
  // One part from this thread: its own histograms and their encodings, as they are.
  const only = parts.length === 1 ? parts[0] : undefined;
  const latency = only?.live?.latency ?? mergeEncoded(parts.map((p) => p.latencyHdr));
  const service = only?.live?.service ?? mergeEncoded(parts.map((p) => p.serviceHdr));
  const lag = only?.live?.lag ?? mergeEncoded(parts.map((p) => p.lagHdr));
  const histograms = only?.live
    ? { latency: only.latencyHdr, serviceTime: only.serviceHdr, schedulingLag: only.lagHdr }
    : { latency: encode(latency), serviceTime: encode(service), schedulingLag: encode(lag) };
  const completed = sum((p) => p.completed);
  const failed = sum((p) => p.failed);
  const started = sum((p) => p.started);
  const profile = r.engine.profile;
  const { profile: _p, ...engineSettings } = r.engine;
  const headers = redactHeaders(r.options.headers);
  return {
    schema: 'peaklab.load-result/v1',
    settings: {
      ...r.options,
      ...(headers ? { headers } : {}),
      model: r.model,
      method: r.method,
      connections: r.connections,
      timeoutMs: r.timeoutMs,
      threads: r.threads,
      durationMs: engineSettings.durationMs,
      ...(r.model === 'closed' ? { thinkMs: engineSettings.thinkMs } : {}),
      ...(r.target.protocol === 'http' ? { maxRedirects: r.maxRedirects } : {}),
      okStatus: r.options.okStatus ?? DEFAULT_OK_STATUS[r.target.protocol],
    },
    startedAt: new Date(Math.min(...parts.map((p) => p.startEpochMs))).toISOString(),
    summary: {
      durationMs,
      drainMs,
      scheduled: sum((p) => p.scheduled),
      started,
      completed,
      dropped: sum((p) => p.dropped),
      late: sum((p) => p.late),
      ok: sum((p) => p.ok),
      failed,
      unfinished: sum((p) => p.unfinished),
      errorRate: completed === 0 ? 0 : failed / completed,
      targetRate: profile && durationS > 0 ? profile.integral(durationS) / durationS : 0,
      // Over the schedule only: the drain starts nothing.
      achievedRate: durationS > 0 ? started / durationS : 0,
      status,
      errors,
      bytesIn: sum((p) => p.bytesIn),
      bytesOut: sum((p) => p.bytesOut),
    },
    latency: summarize(latency),
    serviceTime: summarize(service),
    timeline,
    schedulingLag: summarize(lag),
    histograms,
    interrupted: parts.some((p) => p.interrupted),
    ...(r.options.traceIdPrefix ? { slowest: slowestOf(r.options.traceIdPrefix, parts) } : {}),
  };
}
