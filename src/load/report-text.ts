import { formatMs } from '../shared/duration.js';
import { DEFAULTS } from './defaults.js';
import { decode, forEachRecorded, PERCENTILES } from './histogram.js';
import { slowestLines } from './trace-propagate.js';
import type { LoadResult } from './types.js';

/** One sentence on the two latency views, shared by the text and HTML reports. */
export const LATENCY_EXPLAINED =
  'Latency is timed from each request’s intended start (the schedule), so time spent waiting for a ' +
  'free connection or a stalled server counts: this view is free of coordinated omission. Service ' +
  'time is timed from the actual send, which is what the server took, but it hides the queueing ' +
  'that users would feel.';

const DEFAULT_LATE_MS = DEFAULTS.lateAfterMs;
const BAR = '■';
const BAR_WIDTH = 40;

function pad(s: string, n: number): string {
  return s.padEnd(n);
}

/**
 * hey's histogram: up to 10 equal-width buckets between the fastest and slowest, with bars. A
 * bucket is never narrower than the histograms' 1 µs resolution, so a narrow spread gets fewer
 * buckets (all equal values: one).
 */
export function latencyBuckets(result: LoadResult): { mark: number; count: number }[] {
  const { minMs, maxMs, count } = result.latency;
  if (count === 0 || !result.histograms) return [];
  const n = Math.max(0, Math.min(10, Math.floor((maxMs - minMs) * 1000 + 1e-6)));
  const width = n === 0 ? 0 : (maxMs - minMs) / n;
  const buckets = Array.from({ length: n + 1 }, (_, i) => ({ mark: minMs + width * i, count: 0 }));
  forEachRecorded(decode(result.histograms.latency), (us, c) => {
    const i = width <= 0 ? 0 : Math.min(n, Math.max(0, Math.round((us / 1000 - minMs) / width)));
    (buckets[i] as { count: number }).count += c;
  });
  return buckets;
}

/**
 * Labels for the bucket marks that tell them apart: formatMs when its rounding keeps them distinct,
 * else one unit (that of the largest mark) with as many decimals as it takes.
 */
export function markLabels(marks: readonly number[]): string[] {
  const plain = marks.map(formatMs);
  if (new Set(plain).size === plain.length) return plain;
  const top = Math.max(...marks);
  const [unit, scale] = top < 1 ? ['µs', 1000] : top < 1000 ? ['ms', 1] : ['s', 0.001];
  let labels = plain;
  for (let d = 1; d <= 6; d++) {
    labels = marks.map((m) => `${(m * (scale as number)).toFixed(d)}${unit}`);
    if (new Set(labels).size === labels.length) break;
  }
  return labels;
}

function histogramLines(result: LoadResult): string[] {
  const buckets = latencyBuckets(result);
  const top = Math.max(1, ...buckets.map((b) => b.count));
  const labels = markLabels(buckets.map((b) => b.mark));
  const width = Math.max(9, ...labels.map((l) => l.length + 1));
  return buckets.map((b, i) => {
    const bar = BAR.repeat(Math.round((b.count / top) * BAR_WIDTH));
    return `  ${pad(labels[i] as string, width)} [${b.count}]\t|${bar}`;
  });
}

/**
 * The run's accounting, one identity per line, as every report prints it:
 * scheduled = started + dropped, and started = ok + failed + unfinished.
 */
export function accountingLines(result: LoadResult): { requests: string; outcomes: string } {
  const s = result.summary;
  return {
    requests: `${s.scheduled} scheduled = ${s.started} started + ${s.dropped} dropped`,
    outcomes: `${s.started} started = ${s.ok} ok + ${s.failed} failed + ${s.unfinished ?? 0} unfinished`,
  };
}

function counts(title: string, entries: Record<string, number>, unit: string): string[] {
  const rows = Object.entries(entries).sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) return [];
  return ['', `${title}:`, ...rows.map(([k, v]) => `  [${k}]\t${v} ${unit}`)];
}

/** The hey-style text report, plus target vs achieved rate, dropped/late and thresholds. */
export function renderTextReport(result: LoadResult): string {
  const s = result.summary;
  const l = result.latency;
  const open = result.settings.model === 'open';
  const account = accountingLines(result);
  const drain = (s.drainMs ?? 0) > 0 ? ` (+ ${formatMs(s.drainMs ?? 0)} drain)` : '';
  const lines = [
    '',
    `Summary:${result.interrupted ? ' (interrupted: the report covers the run so far)' : ''}`,
    `  Target:\t${result.settings.target}`,
    `  Model:\t${open ? `open, rate ${result.settings.rate}` : `closed, ${result.settings.vus} virtual users`}`,
    `  Total:\t${formatMs(s.durationMs)}${drain}`,
    `  Slowest:\t${formatMs(l.maxMs)}`,
    `  Fastest:\t${formatMs(l.minMs)}`,
    `  Average:\t${formatMs(l.meanMs)}`,
    `  Requests/sec:\t${s.achievedRate.toFixed(1)}${open ? ` (target ${s.targetRate.toFixed(1)})` : ''}`,
    `  Requests:\t${account.requests}`,
    `  Outcomes:\t${account.outcomes}`,
    `  Late:\t${s.late} (sent ${DEFAULT_LATE_MS} ms or more after their intended start)`,
    `  Errors:\t${s.failed} (${(s.errorRate * 100).toFixed(2)}% of ${s.completed} completed; ok is ${result.settings.okStatus ?? '2xx'})`,
    '',
    'Response time histogram (from intended start):',
    ...histogramLines(result),
    '',
    'Latency distribution:\tintended start\tservice time',
    ...PERCENTILES.map(
      ([name, p]) =>
        `  ${pad(`${p}%`, 6)}\t${pad(formatMs(l.percentiles[name] ?? 0), 14)}\t${formatMs(result.serviceTime.percentiles[name] ?? 0)}`,
    ),
  ];
  if (result.schedulingLag && open) {
    const lag = result.schedulingLag.percentiles;
    lines.push(`  (scheduling lag: p50 ${formatMs(lag.p50 ?? 0)}, p99 ${formatMs(lag.p99 ?? 0)})`);
  }
  lines.push(...counts('Status code distribution', s.status, 'responses'));
  lines.push(...counts('Error distribution', s.errors, 'errors'));
  if (result.thresholds && result.thresholds.length > 0) {
    lines.push('', 'Thresholds:');
    for (const t of result.thresholds) {
      lines.push(`  ${t.passed ? 'PASS' : 'FAIL'}  ${t.expression}\t${t.detail}`);
    }
  }
  lines.push(...slowestLines(result.slowest));
  lines.push('', LATENCY_EXPLAINED, '');
  return lines.join('\n');
}
