import { drainedAtMs } from './backlog-watch.js';
import { cycleExtremes } from './cycles.js';
import { modelBacklogSeries, predictedRejections } from './sine.js';
import { maxOf, percentileSorted, round, roundOrNull } from './stats.js';
import type { LabSettings, ModeRecording, ModeSecond, ModeSummary, ServiceMetrics } from './types.js';

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
 * The backlog from the probe's readings: its peak; the drain time, from the last cycle's peak to the
 * first of the zeros that confirmed the drain (the seed's "night" after the last day); and how long
 * after the load that was. Null: not drained (or, in shed mode, no queue).
 */
export function backlogOf(rec: ModeRecording, shape: Pick<LabSettings, 'periodMs' | 'cycles'>): Backlog {
  if (rec.mode === 'shed')
    return { peak: 0, peakAtSecond: null, drainSeconds: null, drainAfterLoadSeconds: null };
  let peak = 0;
  let peakAt: number | null = null;
  for (const r of rec.backlog.readings) {
    if (r.depth !== null && r.depth > peak) {
      peak = r.depth;
      peakAt = r.atMs;
    }
  }
  const base = { peak, peakAtSecond: peakAt === null ? null : round(peakAt / 1000, 1) };
  const drainedAt = rec.drained ? drainedAtMs(rec.backlog.readings, rec.loadEndMs) : null;
  if (drainedAt === null) return { ...base, drainSeconds: null, drainAfterLoadSeconds: null };
  const drainAfterLoadSeconds = round(Math.max(0, drainedAt - rec.loadEndMs) / 1000, 1);
  const lastPeakAt =
    cycleExtremes(rec.backlog.readings, shape.periodMs, shape.cycles).peakAtMs.at(-1) ?? peakAt;
  if (peak === 0 || lastPeakAt === null || lastPeakAt === undefined)
    return { ...base, drainSeconds: 0, drainAfterLoadSeconds };
  return {
    ...base,
    drainSeconds: round(Math.max(0, drainedAt - lastPeakAt) / 1000, 1),
    drainAfterLoadSeconds,
  };
}

/**
 * Mean orders processed per second over the seconds the workers never ran out of work: a backlog was
 * read in that second and in the next one.
 */
function processedWhileBacklogged(timeline: readonly ModeSecond[]): number | null {
  const busy: number[] = [];
  for (let i = 0; i + 1 < timeline.length; i++) {
    const row = timeline[i] as ModeSecond;
    if ((row.backlog ?? 0) > 0 && (timeline[i + 1]?.backlog ?? 0) > 0 && row.workDone !== null) {
      busy.push(row.workDone);
    }
  }
  return busy.length === 0 ? null : round(busy.reduce((a, b) => a + b, 0) / busy.length, 1);
}

/** The 2xx answers the service counted itself (http_requests_total), or null without a final scrape. */
function acknowledgedBy(last: ServiceMetrics | null): number | null {
  if (!last) return null;
  let n = 0;
  for (const [status, count] of Object.entries(last.httpByStatus)) if (/^2\d\d$/.test(status)) n += count;
  return n;
}

/** The last successful scrape: the service's final counters. */
export function lastMetrics(rec: ModeRecording): ServiceMetrics | null {
  for (let i = rec.scrapes.length - 1; i >= 0; i--) {
    const m = rec.scrapes[i]?.metrics;
    if (m) return m;
  }
  return null;
}

/**
 * One mode's summary: the load generator's counts and latency, the backlog as the probe read it, and
 * the rows. `lost` is counted only from the database: acknowledged orders (the larger of the client's
 * and the service's 2xx count, so neither side's miss hides one) minus the processed rows minus what a
 * durable queue still held after the stop.
 */
export function summarize(
  rec: ModeRecording,
  timeline: readonly ModeSecond[],
  settings: LabSettings,
): ModeSummary {
  const { summary, latency, serviceTime } = rec.load;
  let rejected = 0;
  for (const [status, n] of Object.entries(summary.status)) if (isRejection(status)) rejected += n;
  const processedTimings = rec.timings.filter((t) => t.processedAt !== null);
  const e2e = processedTimings.map((t) => (t.processedAt as number) - t.acceptedAt).sort((a, b) => a - b);
  const backlog = backlogOf(rec, settings);
  const last = lastMetrics(rec);
  const accepted = summary.ok;
  const acknowledged = acknowledgedBy(last);
  const queued = rec.mode === 'queue';
  const measuredCycles = cycleExtremes(rec.backlog.readings, settings.periodMs, settings.cycles);
  const modelled = queued
    ? cycleExtremes(modelBacklogSeries(settings, settings.processRps), settings.periodMs, settings.cycles)
    : { peaks: [], lows: [] };
  const tenth = (v: number | null) => (v === null ? null : round(v, 1));
  const lastReading = rec.backlog.readings.findLast((r) => r.depth !== null)?.depth ?? null;
  return {
    sent: summary.started,
    accepted,
    rejected,
    failed: Math.max(0, summary.failed - rejected),
    dropped: summary.dropped,
    acknowledged,
    processed: processedTimings.length,
    rows: rec.timings.length,
    queuedAfterStop: rec.backlog.afterStop,
    lost: Math.max(
      0,
      Math.max(accepted, acknowledged ?? 0) - processedTimings.length - (rec.backlog.afterStop ?? 0),
    ),
    predictedRejected: queued ? null : round(predictedRejections(settings, settings.rpsLimit), 1),
    httpP50Ms: round(latency.percentiles.p50 ?? 0, 2),
    httpP99Ms: round(latency.percentiles.p99 ?? 0, 2),
    httpMaxMs: round(latency.maxMs, 2),
    serviceTimeP99Ms: round(serviceTime.percentiles.p99 ?? 0, 2),
    peakBacklog: backlog.peak,
    peakBacklogAtSecond: backlog.peakAtSecond,
    peakQueueDepth: maxOf(timeline.map((r) => r.queueDepth)) ?? 0,
    backlogSeconds: timeline.filter((r) => (r.backlog ?? 0) > 0).length,
    backlogPeaks: queued ? measuredCycles.peaks : [],
    backlogLows: queued ? measuredCycles.lows : [],
    predictedBacklogPeaks: modelled.peaks.map(tenth),
    predictedBacklogLows: modelled.lows.map(tenth),
    processedPerSWhileBacklogged: queued ? processedWhileBacklogged(timeline) : null,
    drained: queued ? rec.drained && backlog.drainSeconds !== null : true,
    backlogAtEnd: queued ? lastReading : 0,
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
