import { encode, newHistogram, percentileMs, recordMs, summarize } from '../histogram.js';
import { emptySecond } from '../part-result.js';
import type { LoadResult, SecondStats } from '../types.js';

/** One second of a synthetic run: its latencies (ms) and the status or error of each request. */
export interface FakeSecond {
  latenciesMs: readonly number[];
  /** Status code (or error kind, when `errors` says so) per request; "200" when missing. */
  codes?: readonly string[];
  errors?: boolean;
  dropped?: number;
  late?: number;
  target?: number;
}

/**
 * A LoadResult built from exact per-second data, as a real run would record it: for unit tests of
 * what reads results (thresholds, reports), where a real run's timing would make them fuzzy.
 */
export function fakeResult(seconds: readonly FakeSecond[], settings: Partial<LoadResult['settings']> = {}) {
  const whole = newHistogram();
  const status: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const timeline: SecondStats[] = seconds.map((f, i) => {
    const s = emptySecond(i);
    const h = newHistogram(2);
    f.latenciesMs.forEach((ms, j) => {
      recordMs(h, ms);
      recordMs(whole, ms);
      const code = f.codes?.[j] ?? '200';
      const into = f.errors ? s.errors : s.status;
      const total = f.errors ? errors : status;
      into[code] = (into[code] ?? 0) + 1;
      total[code] = (total[code] ?? 0) + 1;
    });
    s.started = s.completed = f.latenciesMs.length;
    s.dropped = f.dropped ?? 0;
    s.late = f.late ?? 0;
    s.target = f.target ?? 0;
    s.p50Ms = percentileMs(h, 50);
    s.p90Ms = percentileMs(h, 90);
    s.p99Ms = percentileMs(h, 99);
    s.maxMs = h.totalCount === 0 ? 0 : h.maxValue / 1000;
    if (h.totalCount > 0) s.latencyHdr = encode(h);
    return s;
  });
  const sum = (f: (s: SecondStats) => number) => timeline.reduce((n, s) => n + f(s), 0);
  const completed = sum((s) => s.completed);
  const ok = Object.entries(status).reduce((n, [k, v]) => n + (k.startsWith('2') ? v : 0), 0);
  const durationMs = seconds.length * 1000;
  const latency = summarize(whole);
  const result: LoadResult = {
    schema: 'peaklab.load-result/v1',
    settings: { target: 'http://127.0.0.1:8080/orders', rate: 'constant:100', model: 'open', ...settings },
    startedAt: '2026-01-02T03:04:05.000Z',
    summary: {
      durationMs,
      scheduled: completed + sum((s) => s.dropped),
      started: completed,
      completed,
      dropped: sum((s) => s.dropped),
      late: sum((s) => s.late),
      ok,
      failed: completed - ok,
      errorRate: completed === 0 ? 0 : (completed - ok) / completed,
      targetRate: sum((s) => s.target) / seconds.length,
      achievedRate: completed / seconds.length,
      status,
      errors,
      bytesIn: 0,
      bytesOut: 0,
    },
    latency,
    serviceTime: latency,
    timeline,
    histograms: { latency: encode(whole), serviceTime: encode(whole), schedulingLag: encode(newHistogram()) },
  };
  return result;
}
