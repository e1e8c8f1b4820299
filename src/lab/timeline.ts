import { backlogDepth } from './service-metrics.js';
import { percentileSorted, roundOrNull } from './stats.js';
import type { ModeRecording, ModeSecond, ServiceMetrics } from './types.js';

/** Scrapes by whole second after the start (slot k ≈ k·1000 ms); a failed scrape leaves its slot empty. */
function scrapeSlots(rec: ModeRecording): Map<number, ServiceMetrics> {
  const slots = new Map<number, ServiceMetrics>();
  for (const s of rec.scrapes) if (s.metrics) slots.set(Math.round(s.atMs / 1000), s.metrics);
  return slots;
}

/**
 * The highest backlog read in each second (readings come every half second), so the chart's peak is
 * the summary's; null when every reading of that second failed or none was taken.
 */
function backlogBySecond(rec: ModeRecording): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (const r of rec.backlog.readings) {
    const second = Math.floor(r.atMs / 1000);
    const had = out.get(second) ?? null;
    out.set(second, r.depth === null ? had : Math.max(had ?? 0, r.depth));
  }
  return out;
}

/** Orders processed in each second after the start, with their accepted→processed latencies (ms). */
function e2eBySecond(rec: ModeRecording): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const t of rec.timings) {
    if (t.processedAt === null) continue;
    const second = Math.max(0, Math.floor((t.processedAt - rec.startedAt) / 1000));
    const list = out.get(second) ?? [];
    list.push(Math.max(0, t.processedAt - t.acceptedAt));
    out.set(second, list);
  }
  return out;
}

/** How many seconds a mode's timeline spans: the load, the watching after it, and the last processing. */
export function timelineLength(rec: ModeRecording): number {
  // Whole seconds only: the last partial second has no closing scrape to take deltas against.
  let last = Math.floor(rec.watchEndMs / 1000);
  last = Math.max(last, rec.load.timeline.length);
  for (const t of rec.timings) {
    if (t.processedAt !== null) last = Math.max(last, Math.floor((t.processedAt - rec.startedAt) / 1000) + 1);
  }
  return last;
}

function delta(
  slots: Map<number, ServiceMetrics>,
  second: number,
  pick: (m: ServiceMetrics) => number,
): number | null {
  const a = slots.get(second);
  const b = slots.get(second + 1);
  if (!a || !b) return null;
  const d = pick(b) - pick(a);
  // A counter that went down means the service restarted: no honest delta for that second.
  return d < 0 ? null : d;
}

/** Per-status deltas of the service's response counter over `second`; null for a gap or a restart. */
function statusDelta(slots: Map<number, ServiceMetrics>, second: number): Record<string, number> | null {
  const a = slots.get(second);
  const b = slots.get(second + 1);
  if (!a || !b) return null;
  const out: Record<string, number> = {};
  for (const [status, n] of Object.entries(b.httpByStatus)) {
    const d = n - (a.httpByStatus[status] ?? 0);
    if (d < 0) return null;
    if (d > 0) out[status] = d;
  }
  return out;
}

/** The mean of a histogram over `second`: the deltas of its sum and count. */
function meanOver(
  slots: Map<number, ServiceMetrics>,
  second: number,
  sum: (m: ServiceMetrics) => number,
  count: (m: ServiceMetrics) => number,
): number | null {
  const n = delta(slots, second, count);
  const total = delta(slots, second, sum);
  return n === null || total === null || n === 0 ? null : total / n;
}

/** A gauge as it stood at the end of `second` (the next slot), else at its start. */
function gaugeAt(
  slots: Map<number, ServiceMetrics>,
  second: number,
  pick: (m: ServiceMetrics) => number,
): number | null {
  const m = slots.get(second + 1) ?? slots.get(second);
  return m ? pick(m) : null;
}

const MB = 1024 * 1024;

function scaled(v: number | null, factor: number): number | null {
  return v === null ? null : v * factor;
}

/**
 * One row per second, on one time axis (seconds since the load started): the load generator's view
 * (target, statuses, HTTP latency), the service's scraped metrics as per-second deltas and gauges,
 * and the end-to-end latency of the orders processed in that second, from the database.
 */
export function buildTimeline(rec: ModeRecording, length = timelineLength(rec)): ModeSecond[] {
  const slots = scrapeSlots(rec);
  const e2e = e2eBySecond(rec);
  const backlog = backlogBySecond(rec);
  const rows: ModeSecond[] = [];
  for (let second = 0; second < length; second++) {
    const load = rec.load.timeline[second];
    const lat = (e2e.get(second) ?? []).sort((a, b) => a - b);
    const cpu = delta(slots, second, (m) => m.cpuSeconds);
    rows.push({
      second,
      target: load ? load.target : null,
      started: load ? load.started : null,
      status: load ? { ...load.status } : {},
      httpP50Ms: load && load.completed > 0 ? load.p50Ms : null,
      httpP99Ms: load && load.completed > 0 ? load.p99Ms : null,
      workDone: delta(slots, second, (m) => m.workDone),
      workError: delta(slots, second, (m) => m.workError),
      serverStatus: statusDelta(slots, second),
      queueDepth: gaugeAt(slots, second, backlogDepth),
      backlog: backlog.get(second) ?? null,
      inflight: gaugeAt(slots, second, (m) => m.inflight),
      processed: lat.length,
      e2eP50Ms: percentileSorted(lat, 50),
      e2eP99Ms: percentileSorted(lat, 99),
      e2eMaxMs: lat.length > 0 ? (lat.at(-1) as number) : null,
      serverE2eMeanMs: roundOrNull(
        scaled(
          meanOver(
            slots,
            second,
            (m) => m.e2eSumSeconds,
            (m) => m.e2eCount,
          ),
          1000,
        ),
        2,
      ),
      cpuPercent: scaled(cpu, 100),
      rssMb: gaugeAt(slots, second, (m) => m.rssBytes / MB),
      heapMb: gaugeAt(slots, second, (m) => m.heapUsedBytes / MB),
      eventLoopLagP99Ms: gaugeAt(slots, second, (m) => m.eventLoopLagP99Seconds * 1000),
    });
  }
  return rows;
}
