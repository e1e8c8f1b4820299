import { formatMs } from '../shared/duration.js';
import { PeaklabError } from '../shared/errors.js';
import { decode, type Histogram, meanUs, mergeEncoded, percentileMs } from './histogram.js';
import { addOutcomes } from './part-result.js';
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
const COUNTS = ['dropped', 'late', 'failed', 'requests', 'started', 'scheduled', 'unfinished'];

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

/** A second's failed count; files from before per-second `failed` used the 2xx-only rule. */
function failedIn(s: SecondStats): number {
  if (s.failed !== undefined) return s.failed;
  let n = 0;
  for (const [code, c] of Object.entries(s.status)) if (!code.startsWith('2') && code !== 'OK') n += c;
  for (const c of Object.values(s.errors)) n += c;
  return n;
}

/** What a threshold is measured on: the whole run, or a window of seconds. */
interface Span {
  /** Schedule seconds covered (the rate's denominator). */
  seconds: number;
  completed: number;
  started: number;
  dropped: number;
  late: number;
  failed: number;
  unfinished: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  latency: () => Histogram;
}

/** Counts of a run's schedule (by intended start): judged over schedule seconds only. */
const SCHEDULE_COUNTS = new Set(['dropped', 'late', 'started', 'scheduled']);

/** Whether a metric is judged over the schedule's seconds (else over the whole timeline). */
function onSchedule(t: Threshold): boolean {
  return t.kind === 'rate' || (t.kind === 'count' && SCHEDULE_COUNTS.has(t.metric));
}

/** The measured value, or undefined when the span has no samples for it ("no data"). */
function measure(t: Threshold, span: Span): number | undefined {
  switch (t.kind) {
    case 'latency': {
      const h = span.latency();
      if (h.totalCount === 0) return undefined;
      if (t.percentile === -1) return meanUs(h) / 1000;
      if (t.percentile === 0) return h.minNonZeroValue / 1000;
      return t.percentile === 100 ? h.maxValue / 1000 : percentileMs(h, t.percentile);
    }
    case 'fraction':
      return span.completed === 0 ? undefined : span.failed / span.completed;
    case 'rate':
      return span.seconds > 0 ? span.started / span.seconds : undefined;
    case 'count': {
      let n = 0;
      let population = span.completed;
      if (t.metric.startsWith('status_')) {
        for (const [code, c] of Object.entries(span.status)) if (statusMatches(t.metric, code)) n += c;
      } else if (t.metric === 'failed') n = span.failed;
      else if (t.metric === 'requests') n = span.completed;
      else if (t.metric === 'unfinished') {
        n = span.unfinished;
        population = span.completed + span.unfinished;
      } else {
        population = span.started + span.dropped;
        n = t.metric === 'scheduled' ? population : span[t.metric as 'dropped' | 'late' | 'started'];
      }
      if (population === 0) return undefined;
      return t.percent ? n / population : n;
    }
  }
}

/** Why a span has no data for `t`, for the report. */
function noDataWhy(t: Threshold): string {
  if (t.kind === 'rate') return 'no schedule';
  if (onSchedule(t)) return 'nothing was scheduled';
  return 'no request completed';
}

function windowSpan(
  seconds: readonly SecondStats[],
  from: number,
  len: number,
  scheduleSeconds: number,
): Span {
  const part = seconds.slice(from, from + len);
  const span: Span = {
    seconds: Math.max(0, Math.min(from + len, scheduleSeconds) - from),
    completed: 0,
    started: 0,
    dropped: 0,
    late: 0,
    failed: 0,
    unfinished: 0,
    status: {},
    errors: {},
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
    span.failed += failedIn(s);
    span.unfinished += s.unfinished ?? 0;
    addOutcomes(span, s);
  }
  return span;
}

function show(t: Threshold, v: number): string {
  if (t.kind === 'latency') return formatMs(v);
  if (t.kind === 'fraction' || t.percent) return `${(v * 100).toFixed(2)}%`;
  if (t.kind === 'rate') return `${v.toFixed(1)}/s`;
  return String(v);
}

/** The schedule's second count: from the phases, or (older files) from the duration. */
function scheduleSecondsOf(result: LoadResult): number {
  const byDuration = Math.ceil(result.summary.durationMs / 1000 - 1e-9);
  const tl = result.timeline;
  if (tl.length === 0 || tl[0]?.phase === undefined) return Math.min(byDuration, tl.length);
  const firstDrain = tl.findIndex((s) => s.phase === 'drain');
  return firstDrain < 0 ? tl.length : firstDrain;
}

function evaluateWhole(t: Threshold, result: LoadResult): ThresholdOutcome {
  const s = result.summary;
  const whole: Span = {
    seconds: s.durationMs / 1000,
    completed: s.completed,
    started: s.started,
    dropped: s.dropped,
    late: s.late,
    failed: s.failed,
    unfinished: s.unfinished ?? 0,
    status: s.status,
    errors: s.errors,
    latency: () =>
      result.histograms
        ? decode(result.histograms.latency)
        : mergeEncoded(
            result.timeline.map((x) => x.latencyHdr),
            2,
          ),
  };
  const actual = measure(t, whole);
  if (actual === undefined) {
    return {
      expression: t.expression,
      passed: false,
      noData: true,
      actual: Number.NaN,
      detail: `no data (${noDataWhy(t)})`,
    };
  }
  return {
    expression: t.expression,
    passed: compare(actual, t.op, t.value),
    actual,
    detail: `${t.metric} was ${show(t, actual)}`,
  };
}

/**
 * A windowed threshold must hold in every window: windows slide by one second over the whole
 * timeline (the drain included) or, for what counts by intended start (rate, dropped, late,
 * started, scheduled), over the schedule's seconds. A window without samples fails as "no data".
 */
function evaluateWindows(t: Threshold, result: LoadResult, windowS: number): ThresholdOutcome {
  const scheduleSeconds = scheduleSecondsOf(result);
  const range = onSchedule(t) ? scheduleSeconds : result.timeline.length;
  const len = Math.max(1, Math.min(windowS, range));
  const at = (sec: number) =>
    `second ${sec}${(result.timeline[sec]?.phase ?? (sec < scheduleSeconds ? 'schedule' : 'drain')) === 'drain' ? ', in the drain' : ''}`;
  let worst: { actual: number; at: number } | undefined;
  let firstFailed: number | undefined;
  const noData: number[] = [];
  for (let from = 0; from === 0 || from + len <= range; from++) {
    const actual =
      range === 0 ? undefined : measure(t, windowSpan(result.timeline, from, len, scheduleSeconds));
    if (actual === undefined) noData.push(from);
    else if (!worst || badness(t, actual) > badness(t, worst.actual)) worst = { actual, at: from };
    if (firstFailed === undefined && (actual === undefined || !compare(actual, t.op, t.value)))
      firstFailed = from;
  }
  const gaps =
    noData.length === 0
      ? ''
      : noData.length === 1
        ? `no data in the ${len}s window from ${at(noData[0] as number)}`
        : `no data in ${noData.length} of the ${len}s windows, the first from ${at(noData[0] as number)}`;
  const base = { expression: t.expression, ...(noData.length > 0 ? { noData: true } : {}) };
  if (!worst)
    return { ...base, passed: false, actual: Number.NaN, failedAtSecond: firstFailed ?? 0, detail: gaps };
  const where = `the worst ${len}s window (from ${at(worst.at)})`;
  if (firstFailed === undefined)
    return { ...base, passed: true, actual: worst.actual, detail: `${where}: ${show(t, worst.actual)}` };
  const dataFailed = !compare(worst.actual, t.op, t.value);
  const detail = dataFailed
    ? `${t.metric} was ${show(t, worst.actual)} in ${where}; first failed from second ${firstFailed}${gaps ? `; ${gaps}` : ''}`
    : gaps;
  return { ...base, passed: false, actual: worst.actual, failedAtSecond: firstFailed, detail };
}

/**
 * Evaluates thresholds over the whole run, and a windowed one over every window of the run. A
 * threshold with nothing to judge fails as "no data" (`noData`, `actual` NaN, null in JSON): a
 * p99 of a run without a single response is not a pass.
 */
export function evaluateThresholds(result: LoadResult, thresholds: readonly Threshold[]): ThresholdOutcome[] {
  return thresholds.map((t) =>
    t.windowS === undefined ? evaluateWhole(t, result) : evaluateWindows(t, result, t.windowS),
  );
}
