import { formatMs } from '../shared/duration.js';
import { PeaklabError } from '../shared/errors.js';
import { decode, mergeEncoded, percentileMs } from './histogram.js';
import type { LoadResult, SecondStats, ThresholdOutcome } from './types.js';

type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';
type Kind = 'latency' | 'fraction' | 'rate' | 'count';

export interface Threshold {
  expression: string;
  metric: string;
  kind: Kind;
  /** For latency: the percentile (100 = max, -1 = mean). For counts: which count. */
  percentile: number;
  windowS: number | undefined;
  op: Op;
  /** ms for latency, a fraction for errors, req/s for rate; a count, or a fraction when `percent`. */
  value: number;
  percent: boolean;
}

const RE =
  /^\s*([a-z0-9_.]+)\s*(?:\[\s*(\d+)s\s*\])?\s*(<=|>=|==|!=|<|>)\s*([0-9.]+)\s*(ms|s|us|µs|%|\/s)?\s*$/;
const COUNTS = ['dropped', 'late', 'failed', 'requests', 'started'];

function invalid(expr: string, why: string): PeaklabError {
  return new PeaklabError(
    'PL_THRESHOLD_INVALID',
    `threshold "${expr}": ${why} (examples: p99<200ms, p99[10s]<300ms, errors<1%, rate>=95/s, status_5xx==0)`,
  );
}

export function parseThreshold(expr: string): Threshold {
  const m = RE.exec(expr);
  if (!m) throw invalid(expr, 'expected METRIC[WINDOW] OP VALUE');
  const [, metric, win, op, num, unit] = m as unknown as [
    string,
    string,
    string | undefined,
    Op,
    string,
    string | undefined,
  ];
  const n = Number(num);
  if (!Number.isFinite(n)) throw invalid(expr, `"${num}" is not a number`);
  const base = {
    expression: expr,
    metric,
    windowS: win ? Number(win) : undefined,
    op,
    percent: unit === '%',
  };
  if (base.windowS === 0) throw invalid(expr, 'a window must be at least 1s');
  const pm = /^p(\d+(?:\.\d+)?)$/.exec(metric);
  if (pm || ['max', 'mean', 'avg', 'min'].includes(metric)) {
    if (unit === '%' || unit === '/s') throw invalid(expr, `a latency needs ms, s or us, not ${unit}`);
    const p = pm ? Number(pm[1]) : metric === 'max' ? 100 : metric === 'min' ? 0 : -1;
    if (p > 100) throw invalid(expr, 'a percentile is at most p100');
    const ms = unit === 's' ? n * 1000 : unit === 'us' || unit === 'µs' ? n / 1000 : n;
    return { ...base, kind: 'latency', percentile: p, value: ms };
  }
  if (metric === 'errors') {
    if (unit !== undefined && unit !== '%') throw invalid(expr, 'errors is a fraction, e.g. errors<1%');
    return { ...base, kind: 'fraction', percentile: 0, value: unit === '%' ? n / 100 : n };
  }
  if (metric === 'rate') {
    if (unit !== undefined && unit !== '/s')
      throw invalid(expr, 'rate is in requests per second, e.g. rate>=95/s');
    return { ...base, kind: 'rate', percentile: 0, value: n };
  }
  if (COUNTS.includes(metric) || /^status_(\d{3}|\dxx)$/.test(metric)) {
    if (unit !== undefined && unit !== '%') throw invalid(expr, `${metric} is a count, or a share with %`);
    return { ...base, kind: 'count', percentile: 0, value: unit === '%' ? n / 100 : n };
  }
  throw invalid(expr, `unknown metric "${metric}"`);
}

function compare(a: number, op: Op, b: number): boolean {
  const eps = 1e-9;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b + eps;
    case '>':
      return a > b;
    case '>=':
      return a >= b - eps;
    case '==':
      return Math.abs(a - b) <= eps;
    case '!=':
      return Math.abs(a - b) > eps;
  }
}

/** How far a value is on the failing side of a threshold: the worst window has the most. */
function badness(t: Threshold, v: number): number {
  switch (t.op) {
    case '<':
    case '<=':
      return v;
    case '>':
    case '>=':
      return -v;
    case '==':
      return Math.abs(v - t.value);
    case '!=':
      return -Math.abs(v - t.value);
  }
}

function statusMatches(metric: string, code: string): boolean {
  const want = metric.slice('status_'.length);
  return want.endsWith('xx') ? code[0] === want[0] : code === want;
}

/** The failed count of a status/errors breakdown: non-2xx responses plus transport errors. */
function failedOf(status: Record<string, number>, errors: Record<string, number>): number {
  let n = 0;
  for (const [code, c] of Object.entries(status)) if (!code.startsWith('2') && code !== 'OK') n += c;
  for (const c of Object.values(errors)) n += c;
  return n;
}

interface Span {
  seconds: number;
  completed: number;
  started: number;
  dropped: number;
  late: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  latency: () => import('./histogram.js').Histogram;
}

function measure(t: Threshold, span: Span): number {
  switch (t.kind) {
    case 'latency': {
      const h = span.latency();
      if (h.totalCount === 0) return 0;
      if (t.percentile === -1) return h.mean / 1000;
      if (t.percentile === 0) return h.minNonZeroValue / 1000;
      return t.percentile === 100 ? h.maxValue / 1000 : percentileMs(h, t.percentile);
    }
    case 'fraction':
      return span.completed === 0 ? 0 : failedOf(span.status, span.errors) / span.completed;
    case 'rate':
      return span.seconds > 0 ? span.started / span.seconds : 0;
    case 'count': {
      let n = 0;
      if (t.metric.startsWith('status_')) {
        for (const [code, c] of Object.entries(span.status)) if (statusMatches(t.metric, code)) n += c;
      } else if (t.metric === 'failed') n = failedOf(span.status, span.errors);
      else if (t.metric === 'requests') n = span.completed;
      else n = span[t.metric as 'dropped' | 'late' | 'started'];
      return t.percent ? (span.completed === 0 ? 0 : n / span.completed) : n;
    }
  }
}

function windowSpan(seconds: readonly SecondStats[], from: number, len: number): Span {
  const part = seconds.slice(from, from + len);
  const status: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const span: Span = {
    seconds: part.length,
    completed: 0,
    started: 0,
    dropped: 0,
    late: 0,
    status,
    errors,
    latency: () =>
      mergeEncoded(
        part.map((s) => s.latencyHdr),
        2,
      ),
  };
  for (const s of part) {
    span.completed += s.completed;
    span.started += s.started;
    span.dropped += s.dropped;
    span.late += s.late;
    for (const [k, v] of Object.entries(s.status)) status[k] = (status[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + v;
  }
  return span;
}

function show(t: Threshold, v: number): string {
  if (t.kind === 'latency') return formatMs(v);
  if (t.kind === 'fraction' || t.percent) return `${(v * 100).toFixed(2)}%`;
  if (t.kind === 'rate') return `${v.toFixed(1)}/s`;
  return String(v);
}

/** Evaluates thresholds over the whole run, and a windowed one over every window of the run. */
export function evaluateThresholds(result: LoadResult, thresholds: readonly Threshold[]): ThresholdOutcome[] {
  const s = result.summary;
  const whole: Span = {
    seconds: s.durationMs / 1000,
    ...s,
    latency: () =>
      result.histograms
        ? decode(result.histograms.latency)
        : mergeEncoded(
            result.timeline.map((x) => x.latencyHdr),
            2,
          ),
  };
  return thresholds.map((t) => {
    if (t.windowS === undefined) {
      const actual = measure(t, whole);
      const passed = compare(actual, t.op, t.value);
      return { expression: t.expression, passed, actual, detail: `${t.metric} was ${show(t, actual)}` };
    }
    // Windows slide by one second over the seconds the run was scheduled for.
    const runSeconds = Math.max(1, Math.ceil(s.durationMs / 1000 - 1e-6));
    const len = Math.min(t.windowS, runSeconds);
    let worst: { actual: number; at: number } | undefined;
    let firstFailed: number | undefined;
    for (let from = 0; from + len <= runSeconds; from++) {
      const actual = measure(t, windowSpan(result.timeline, from, len));
      if (firstFailed === undefined && !compare(actual, t.op, t.value)) firstFailed = from;
      if (!worst || badness(t, actual) > badness(t, worst.actual)) worst = { actual, at: from };
    }
    const w = worst ?? { actual: 0, at: 0 };
    const where = `the worst ${len}s window (from second ${w.at})`;
    if (firstFailed !== undefined) {
      return {
        expression: t.expression,
        passed: false,
        actual: w.actual,
        failedAtSecond: firstFailed,
        detail: `${t.metric} was ${show(t, w.actual)} in ${where}; first failed from second ${firstFailed}`,
      };
    }
    return {
      expression: t.expression,
      passed: true,
      actual: w.actual,
      detail: `${where}: ${show(t, w.actual)}`,
    };
  });
}
