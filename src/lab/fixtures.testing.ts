/**
 * Constructed recordings for the analysis tests: a per-second simulation of the seed's two modes,
 * with every count known in advance, so the tests can check the analysis against the truth.
 */
import type { LatencySummary, SecondStats } from '../load/types.js';
import type { LabMode, LabSettings, ModeRecording, ScrapeSample, ServiceMetrics } from './types.js';

export const T0 = 1_700_000_000_000;

export const SETTINGS: LabSettings = {
  outDir: '/tmp/unused',
  minRps: 0,
  maxRps: 100,
  periodMs: 10_000,
  cycles: 1,
  rpsLimit: 50,
  processRps: 50,
  drainTimeoutMs: 20_000,
  quick: true,
  open: false,
};

export function latency(p50: number, p99: number, max: number): LatencySummary {
  return { count: 1, minMs: 0, meanMs: p50, maxMs: max, percentiles: { p50, p99 } };
}

function metrics(over: Partial<ServiceMetrics>): ServiceMetrics {
  return {
    httpByStatus: {},
    workDone: 0,
    workError: 0,
    queueDepth: 0,
    inflight: 0,
    e2eCount: 0,
    e2eSumSeconds: 0,
    processingCount: 0,
    processingSumSeconds: 0,
    cpuSeconds: 0,
    rssBytes: 50 * 1024 * 1024,
    heapUsedBytes: 20 * 1024 * 1024,
    eventLoopLagP99Seconds: 0.002,
    ...over,
  };
}

export interface Simulated {
  rec: ModeRecording;
  sent: number;
  accepted: number;
  rejected: number;
  peakBacklog: number;
}

/**
 * `arrivals[s]` requests arrive in second s. Shed: admit up to `limit` per second, refuse the rest
 * with 500, process the admitted at once. Queue: admit all, process up to `capacity` per second.
 * After the load, seconds with no arrivals follow until the queue is empty (queue mode).
 */
export function simulate(
  mode: LabMode,
  arrivals: readonly number[],
  limit: number,
  capacity: number,
): Simulated {
  const timeline: SecondStats[] = [];
  const scrapes: ScrapeSample[] = [{ atMs: 0, metrics: metrics({}) }];
  const timings: ModeRecording['timings'] = [];
  const waiting: number[] = []; // accepted-at times (ms after start) of queued orders
  let sent = 0;
  let accepted = 0;
  let rejected = 0;
  let done = 0;
  let errors = 0;
  let e2eSumSeconds = 0;
  let peakBacklog = 0;
  let second = 0;
  while (second < arrivals.length || waiting.length > 0) {
    const n = arrivals[second] ?? 0;
    const admitted = mode === 'shed' ? Math.min(n, limit) : n;
    const refused = n - admitted;
    for (let i = 0; i < admitted; i++) waiting.push(second * 1000 + Math.floor((i * 1000) / Math.max(1, n)));
    const workNow = waiting.splice(0, mode === 'shed' ? waiting.length : capacity);
    for (const at of workNow) {
      const processedAt = mode === 'shed' ? at + 20 : Math.max(at + 20, second * 1000 + 999);
      timings.push({ id: `o${timings.length}`, acceptedAt: T0 + at, processedAt: T0 + processedAt });
      e2eSumSeconds += (processedAt - at) / 1000;
    }
    sent += n;
    accepted += admitted;
    rejected += refused;
    done += workNow.length;
    errors += mode === 'shed' ? refused : 0;
    peakBacklog = Math.max(peakBacklog, waiting.length);
    if (second < arrivals.length) {
      timeline.push({
        second,
        target: n,
        started: n,
        completed: n,
        dropped: 0,
        late: 0,
        status: { ...(admitted ? { '200': admitted } : {}), ...(refused ? { '500': refused } : {}) },
        errors: {},
        p50Ms: mode === 'shed' ? 25 : 3,
        p90Ms: mode === 'shed' ? 40 : 4,
        p99Ms: mode === 'shed' ? 60 : 6,
        maxMs: mode === 'shed' ? 80 : 9,
      });
    }
    second++;
    scrapes.push({
      atMs: second * 1000 + 3,
      metrics: metrics({
        httpByStatus: { '200': accepted, '500': rejected },
        workDone: done,
        workError: errors,
        queueDepth: waiting.length,
        e2eCount: done,
        e2eSumSeconds,
        processingCount: done,
        processingSumSeconds: done * 0.02,
        cpuSeconds: second * 0.3,
      }),
    });
  }
  // The probe reads what the scrapes saw, plus the watch's confirming zero half a second later.
  const last = scrapes.at(-1) as ScrapeSample;
  const readings = [
    ...scrapes.map((s) => ({ atMs: s.atMs, depth: s.metrics?.queueDepth ?? null })),
    { atMs: last.atMs + 500, depth: 0 },
  ];
  const rec: ModeRecording = {
    mode,
    startedAt: T0,
    loadEndMs: arrivals.length * 1000,
    watchEndMs: mode === 'queue' ? last.atMs + 500 : last.atMs,
    drained: true,
    backlog:
      mode === 'queue'
        ? { source: 'simulated in-process queue', readings, afterStop: null }
        : { source: 'none: shed mode has no queue', readings: [], afterStop: null },
    load: {
      summary: {
        durationMs: arrivals.length * 1000,
        scheduled: sent,
        started: sent,
        completed: sent,
        dropped: 0,
        late: 0,
        ok: accepted,
        failed: rejected,
        errorRate: sent ? rejected / sent : 0,
        targetRate: sent / arrivals.length,
        achievedRate: sent / arrivals.length,
        status: { '200': accepted, '500': rejected },
        errors: {},
        bytesIn: 0,
        bytesOut: 0,
      },
      latency: mode === 'shed' ? latency(25, 60, 80) : latency(3, 6, 9),
      serviceTime: mode === 'shed' ? latency(24, 58, 79) : latency(2, 5, 8),
      timeline,
    },
    scrapes,
    timings,
    serverLatency:
      mode === 'shed'
        ? {
            '200': { count: accepted, p50Ms: 22, p99Ms: 55, p50LeMs: 25, p99LeMs: 60 },
            '500': { count: rejected, p50Ms: 0.4, p99Ms: 1, p50LeMs: 0.5, p99LeMs: 1 },
          }
        : { '200': { count: accepted, p50Ms: 1, p99Ms: 4, p50LeMs: 1, p99LeMs: 5 } },
    service: { args: ['serve', 'orders', '--mode', mode] },
  };
  return { rec, sent, accepted, rejected, peakBacklog };
}

/** A sine-ish day: quiet, a peak of 100/s, quiet again. */
export const ARRIVALS = [0, 10, 35, 65, 90, 100, 90, 65, 35, 10];
