import { backlogDepth } from './service-metrics.js';
import { maxOf, percentileSorted, round, roundOrNull } from './stats.js';
import type { ModeRecording, ModeSecond, ModeSummary, ServiceMetrics } from './types.js';

/** A 5xx is the service refusing the order (the seed's 500 "server-kaput", or 503 with --shed-status). */
export function isRejection(status: string): boolean {
  return /^5\d\d$/.test(status);
}

interface Backlog {
  peak: number;
  peakAtSecond: number | null;
  drainSeconds: number | null;
  drainAfterLoadSeconds: number | null;
}

/**
 * The backlog from the scraped queue depth: its peak; the drain time, from the last peak (the top of the
 * final busy stretch, where the depth stayed above a tenth of the peak) to an empty queue, the seed's
 * "night"; and how long after the load ended the queue was empty. Null: it never drained.
 */
export function backlogOf(rec: ModeRecording): Backlog {
  const points = rec.scrapes.flatMap((s) =>
    s.metrics ? [{ atMs: s.atMs, depth: backlogDepth(s.metrics) }] : [],
  );
  let peak = 0;
  let peakAt: number | null = null;
  for (const p of points) {
    if (p.depth > peak) {
      peak = p.depth;
      peakAt = p.atMs;
    }
  }
  if (peakAt === null) {
    const empty = points.find((p) => p.atMs >= rec.loadEndMs);
    return { peak: 0, peakAtSecond: null, drainSeconds: 0, drainAfterLoadSeconds: empty ? 0 : null };
  }
  const drainedIdx = points.findIndex((p) => p.atMs >= rec.loadEndMs && p.depth === 0);
  const base = { peak, peakAtSecond: round(peakAt / 1000, 1) };
  if (drainedIdx < 0) return { ...base, drainSeconds: null, drainAfterLoadSeconds: null };
  const drainedAt = (points[drainedIdx] as { atMs: number }).atMs;
  const low = peak / 10;
  let i = drainedIdx - 1;
  while (i >= 0 && (points[i]?.depth ?? 0) <= low) i--;
  let lastPeak = points[i] ?? { atMs: peakAt, depth: peak };
  for (; i >= 0 && (points[i]?.depth ?? 0) > low; i--) {
    const p = points[i] as { atMs: number; depth: number };
    if (p.depth >= lastPeak.depth) lastPeak = p;
  }
  return {
    ...base,
    drainSeconds: round((drainedAt - lastPeak.atMs) / 1000, 1),
    drainAfterLoadSeconds: round(Math.max(0, drainedAt - rec.loadEndMs) / 1000, 1),
  };
}

/** The last successful scrape: the service's final counters. */
export function lastMetrics(rec: ModeRecording): ServiceMetrics | null {
  for (let i = rec.scrapes.length - 1; i >= 0; i--) {
    const m = rec.scrapes[i]?.metrics;
    if (m) return m;
  }
  return null;
}

export function summarize(
  rec: ModeRecording,
  timeline: readonly ModeSecond[],
  predicted: number,
): ModeSummary {
  const { summary, latency, serviceTime } = rec.load;
  let rejected = 0;
  for (const [status, n] of Object.entries(summary.status)) if (isRejection(status)) rejected += n;
  const processedTimings = rec.timings.filter((t) => t.processedAt !== null);
  const e2e = processedTimings.map((t) => (t.processedAt as number) - t.acceptedAt).sort((a, b) => a - b);
  const backlog = backlogOf(rec);
  const last = lastMetrics(rec);
  const accepted = summary.ok;
  return {
    sent: summary.started,
    accepted,
    rejected,
    failed: Math.max(0, summary.failed - rejected),
    dropped: summary.dropped,
    processed: processedTimings.length,
    rows: rec.timings.length,
    lost: Math.max(0, accepted - processedTimings.length),
    predictedRejected: round(predicted, 1),
    httpP50Ms: round(latency.percentiles.p50 ?? 0, 2),
    httpP99Ms: round(latency.percentiles.p99 ?? 0, 2),
    httpMaxMs: round(latency.maxMs, 2),
    serviceTimeP99Ms: round(serviceTime.percentiles.p99 ?? 0, 2),
    peakBacklog: backlog.peak,
    peakBacklogAtSecond: backlog.peakAtSecond,
    // Watching saw it empty, and the scrapes agree: both use backlogDepth.
    drained: rec.drained && backlog.drainSeconds !== null,
    backlogAtEnd: last ? backlogDepth(last) : 0,
    drainSeconds: backlog.drainSeconds,
    drainAfterLoadSeconds: backlog.drainAfterLoadSeconds,
    e2eP50Ms: roundOrNull(percentileSorted(e2e, 50), 1),
    e2eP99Ms: roundOrNull(percentileSorted(e2e, 99), 1),
    e2eMaxMs: roundOrNull(e2e.at(-1) ?? null, 1),
    workDone: last?.workDone ?? 0,
    workError: last?.workError ?? 0,
    processingMeanMs:
      last && last.processingCount > 0
        ? round((1000 * last.processingSumSeconds) / last.processingCount, 2)
        : null,
    peakInflight: maxOf(timeline.map((r) => r.inflight)) ?? 0,
    peakCpuPercent: roundOrNull(maxOf(timeline.map((r) => r.cpuPercent)), 0),
    peakRssMb: roundOrNull(maxOf(timeline.map((r) => r.rssMb)), 0),
    peakHeapMb: roundOrNull(maxOf(timeline.map((r) => r.heapMb)), 0),
    peakEventLoopLagMs: roundOrNull(maxOf(timeline.map((r) => r.eventLoopLagP99Ms)), 1),
    loadSeconds: round(rec.loadEndMs / 1000, 1),
    watchSeconds: round(rec.watchEndMs / 1000, 1),
  };
}
