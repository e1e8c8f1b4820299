import { formatMs } from '../shared/duration.js';
import type { LoadResult } from './types.js';

export type CompareMetric = 'p50' | 'p99' | 'throughput' | 'errorRate';

export interface MetricComparison {
  metric: CompareMetric;
  baseline: number;
  current: number;
  /** Relative change (absolute points for errorRate), positive = worse. */
  worse: number;
  /** The run-to-run spread of the baselines, in the same unit as `worse` (0 with one baseline). */
  noise: number;
  beyondNoise: boolean;
  regression: boolean;
}

export interface Comparison {
  baselines: number;
  maxRegression: number;
  metrics: MetricComparison[];
  regressed: boolean;
}

interface MetricDef {
  name: MetricComparison['metric'];
  get: (r: LoadResult) => number;
  /** Higher is better (throughput). */
  higherBetter: boolean;
  /** Compared in absolute points rather than relative (error rate). */
  absolute: boolean;
}

/** What compare looks at unless told otherwise, in report order. */
export const COMPARE_METRICS: readonly CompareMetric[] = ['p50', 'p99', 'throughput', 'errorRate'];

const METRICS: MetricDef[] = [
  { name: 'p50', get: (r) => r.latency.percentiles.p50 ?? 0, higherBetter: false, absolute: false },
  { name: 'p99', get: (r) => r.latency.percentiles.p99 ?? 0, higherBetter: false, absolute: false },
  {
    name: 'throughput',
    // Completed per second of the whole run, schedule and drain (older files have no drainMs).
    get: (r) => {
      const ms = r.summary.durationMs + (r.summary.drainMs ?? 0);
      return ms > 0 ? r.summary.completed / (ms / 1000) : 0;
    },
    higherBetter: true,
    absolute: false,
  },
  { name: 'errorRate', get: (r) => r.summary.errorRate, higherBetter: false, absolute: true },
];

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The baselines' spread: the larger of 3 standard deviations and the full range. */
function spread(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  return Math.max(3 * sd, Math.max(...xs) - Math.min(...xs));
}

/**
 * Compares a run against one or more baseline runs. A metric regresses when it is worse by more
 * than `maxRegression` AND by more than the baselines' own run-to-run noise. `only` limits the
 * comparison to some metrics (a CI job may gate on the stable ones, e.g. p50 and throughput).
 */
export function compareRuns(
  baselines: readonly LoadResult[],
  current: LoadResult,
  maxRegression: number,
  only: readonly CompareMetric[] = COMPARE_METRICS,
): Comparison {
  const metrics = METRICS.filter((m) => only.includes(m.name)).map((m): MetricComparison => {
    const values = baselines.map(m.get);
    const base = mean(values);
    const cur = m.get(current);
    const diff = m.higherBetter ? base - cur : cur - base;
    let worse: number;
    let noise: number;
    let allowed: number;
    if (m.absolute) {
      worse = diff;
      noise = spread(values);
      // Error rates near zero: allow a tenth of a percentage point before calling it a change.
      allowed = Math.max(noise, 0.001 + base * maxRegression);
    } else {
      worse = base > 0 ? diff / base : cur > 0 ? Number.POSITIVE_INFINITY : 0;
      noise = base > 0 ? spread(values) / base : 0;
      allowed = Math.max(noise, maxRegression);
    }
    return {
      metric: m.name,
      baseline: base,
      current: cur,
      worse,
      noise,
      beyondNoise: Math.abs(worse) > noise,
      regression: worse > allowed,
    };
  });
  return {
    baselines: baselines.length,
    maxRegression,
    metrics,
    regressed: metrics.some((m) => m.regression),
  };
}

function show(m: MetricComparison, v: number): string {
  if (m.metric === 'throughput') return `${v.toFixed(1)}/s`;
  if (m.metric === 'errorRate') return `${(v * 100).toFixed(2)}%`;
  return formatMs(v);
}

function change(m: MetricComparison): string {
  if (m.metric === 'errorRate') return `${m.worse >= 0 ? '+' : ''}${(m.worse * 100).toFixed(2)} pts worse`;
  const pct = (m.worse * 100).toFixed(1);
  return m.worse >= 0 ? `${pct}% worse` : `${(-m.worse * 100).toFixed(1)}% better`;
}

export function renderComparison(c: Comparison): string {
  const lines = [
    `Compared with ${c.baselines} baseline run${c.baselines === 1 ? '' : 's'} (max regression ${(c.maxRegression * 100).toFixed(0)}%${c.baselines < 2 ? '; give several baselines to measure noise' : ''}):`,
  ];
  for (const m of c.metrics) {
    const verdict = m.regression
      ? 'REGRESSION'
      : m.beyondNoise && m.worse !== 0
        ? 'beyond noise'
        : 'within noise';
    const noise =
      m.metric === 'errorRate' ? `${(m.noise * 100).toFixed(2)} pts` : `${(m.noise * 100).toFixed(1)}%`;
    lines.push(
      `  ${m.metric.padEnd(11)} ${show(m, m.baseline).padStart(10)} -> ${show(m, m.current).padEnd(10)} ${change(m).padEnd(18)} noise ±${noise.padEnd(10)} ${verdict}`,
    );
  }
  lines.push(c.regressed ? 'Result: regression.' : 'Result: no regression.');
  return `${lines.join('\n')}\n`;
}
