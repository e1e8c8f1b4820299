import { histogramQuantile, type PromSample } from '../scrape/mod.js';
import { SERVER_PANELS, type ServerPanelId } from './panels.js';

/** One scrape of one target, with its samples indexed by series identity for the next delta. */
export interface IndexedScrape {
  /** Epoch ms of the scrape's slot. */
  atMs: number;
  samples: readonly PromSample[];
  /** Series identity (name and sorted labels) to value. */
  index: ReadonlyMap<string, number>;
}

/** One value for one line of one panel, for the second of the current scrape. */
export interface DerivedPoint {
  panel: ServerPanelId;
  label: string;
  value: number;
}

export interface Derived {
  points: DerivedPoint[];
  /** The panels whose metric the target exposes in this scrape, with data or not. */
  exposed: Set<ServerPanelId>;
}

/** Longest label kept: values come from the target, and a key must not grow without bound. */
const MAX_LABEL = 100;

/** A series' identity: its name and its labels in a stable order. */
export function seriesId(s: PromSample): string {
  const keys = Object.keys(s.labels).sort();
  return `${s.name}${JSON.stringify(keys.map((k) => [k, s.labels[k]]))}`;
}

export function indexScrape(atMs: number, samples: readonly PromSample[]): IndexedScrape {
  const index = new Map<string, number>();
  for (const s of samples) index.set(seriesId(s), s.value);
  return { atMs, samples, index };
}

/**
 * The increase of a counter between two scrapes. A value below the previous one means the process
 * restarted and the counter began again at 0, so all of it is new (PromQL's reset rule). A series
 * missing from the previous scrape began at 0 since then (prom-client creates a series on first use).
 */
export function counterIncrease(prev: number | undefined, cur: number): number {
  if (!Number.isFinite(cur) || cur < 0) return 0;
  if (prev === undefined || !Number.isFinite(prev)) return cur;
  return cur >= prev ? cur - prev : cur;
}

/** Printable, bounded text from a label value the target chose. Escaping happens in the page. */
export function cleanLabel(raw: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const text = raw.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

function routeOf(labels: Record<string, string>): string {
  const route = labels.route ?? labels.handler ?? labels.path ?? 'all routes';
  return cleanLabel(labels.method !== undefined ? `${labels.method} ${route}` : route);
}

function statusOf(labels: Record<string, string>): string {
  return cleanLabel(labels.status ?? labels.code ?? labels.status_code ?? 'unknown');
}

function parseLe(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (raw === '+Inf' || raw === 'Inf') return Number.POSITIVE_INFINITY;
  const n = Number(raw);
  return raw.trim() === '' || Number.isNaN(n) ? undefined : n;
}

/** Adds `value` to `map[key]`; Map, not an object: keys are the target's text ("__proto__" too). */
function add<K>(map: Map<K, number>, key: K, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/**
 * p50 and p99 of the observations made between two scrapes, per group: the increase of each
 * cumulative bucket, summed over the series of a group, interpolated as histogram_quantile does.
 * A group with no new observations has no quantile (a gap, not a zero).
 */
export function quantilesBetween(
  prev: ReadonlyMap<string, number>,
  cur: readonly PromSample[],
  family: string,
  groupOf: (labels: Record<string, string>) => string,
): Map<string, { p50: number; p99: number }> {
  const groups = new Map<string, Map<number, number>>();
  for (const s of cur) {
    if (s.name !== `${family}_bucket`) continue;
    const le = parseLe(s.labels.le);
    if (le === undefined) continue;
    const group = groupOf(s.labels);
    const byLe = groups.get(group) ?? new Map<number, number>();
    add(byLe, le, counterIncrease(prev.get(seriesId(s)), s.value));
    groups.set(group, byLe);
  }
  const out = new Map<string, { p50: number; p99: number }>();
  for (const [group, byLe] of groups) {
    const buckets = [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
    // Cumulative counts never fall with `le`; a scrape racing an observation can make them, so
    // smooth as PromQL does rather than interpolate across a negative bucket.
    let floor = 0;
    for (const b of buckets) {
      floor = Math.max(floor, b.count);
      b.count = floor;
    }
    const p50 = histogramQuantile(0.5, buckets);
    const p99 = histogramQuantile(0.99, buckets);
    if (p50 !== null && p99 !== null) out.set(group, { p50, p99 });
  }
  return out;
}

function gaugeSum(samples: readonly PromSample[], name: string): number | undefined {
  let total: number | undefined;
  for (const s of samples) {
    if (s.name === name && Number.isFinite(s.value)) total = (total ?? 0) + s.value;
  }
  return total;
}

function exposedPanels(samples: readonly PromSample[]): Set<ServerPanelId> {
  const names = new Set(samples.map((s) => s.name));
  const out = new Set<ServerPanelId>();
  for (const p of SERVER_PANELS) {
    const m = p.metric as string;
    if (names.has(m) || names.has(`${m}_bucket`)) out.add(p.id as ServerPanelId);
  }
  return out;
}

/**
 * One second of every server panel for one target, from its current scrape and the previous one.
 * Gauges come from the current scrape alone; rates and quantiles need a previous scrape no older
 * than `maxGapMs` (after a gap, the first scrape back is only a new baseline: a rate averaged over
 * the outage would draw a value for seconds nobody measured).
 */
export function deriveSecond(prev: IndexedScrape | undefined, cur: IndexedScrape, maxGapMs: number): Derived {
  const points: DerivedPoint[] = [];
  const push = (panel: ServerPanelId, label: string, value: number) => points.push({ panel, label, value });
  const samples = cur.samples;

  const depth = gaugeSum(samples, 'orders_queue_depth');
  if (depth !== undefined) push('queue', 'depth', depth);
  const lag = gaugeSum(samples, 'nodejs_eventloop_lag_seconds');
  if (lag !== undefined) push('lag', 'lag', lag * 1000);
  const lagP99 = gaugeSum(samples, 'nodejs_eventloop_lag_p99_seconds');
  if (lag !== undefined && lagP99 !== undefined) push('lag', 'p99 since last scrape', lagP99 * 1000);
  const heap = gaugeSum(samples, 'nodejs_heap_size_used_bytes');
  if (heap !== undefined) push('heap', 'used', heap / 2 ** 20);

  const gap = prev === undefined ? Number.POSITIVE_INFINITY : cur.atMs - prev.atMs;
  if (prev !== undefined && gap > 0 && gap <= maxGapMs) {
    const dt = gap / 1000;
    const rate = new Map<string, number>();
    const errors = new Map<string, number>();
    const status = new Map<string, number>();
    const work = new Map<string, number>();
    let cpu: number | undefined;
    for (const s of samples) {
      if (s.name === 'http_requests_total') {
        const inc = counterIncrease(prev.index.get(seriesId(s)), s.value);
        const route = routeOf(s.labels);
        const code = statusOf(s.labels);
        add(rate, route, inc);
        // Every route gets an errors line, so "no errors" draws as 0 rather than as nothing.
        add(errors, route, code.startsWith('5') ? inc : 0);
        add(status, code, inc);
      } else if (s.name === 'work_done_total') {
        add(
          work,
          cleanLabel(s.labels.status ?? 'total'),
          counterIncrease(prev.index.get(seriesId(s)), s.value),
        );
      } else if (s.name === 'process_cpu_seconds_total') {
        cpu = (cpu ?? 0) + counterIncrease(prev.index.get(seriesId(s)), s.value);
      }
    }
    for (const [label, inc] of rate) push('rate', label, inc / dt);
    for (const [label, inc] of errors) push('errors', label, inc / dt);
    for (const [label, inc] of status) push('status', label, inc / dt);
    for (const [label, inc] of work) push('work', label, inc / dt);
    if (cpu !== undefined) push('cpu', 'cores', cpu / dt);
    const latency = quantilesBetween(prev.index, samples, 'http_request_duration_seconds', routeOf);
    for (const [route, q] of latency) {
      push('latency', `${route} p50`, q.p50 * 1000);
      push('latency', `${route} p99`, q.p99 * 1000);
    }
    const e2e = quantilesBetween(prev.index, samples, 'orders_end_to_end_seconds', () => 'all');
    for (const q of e2e.values()) {
      push('e2e', 'p50', q.p50 * 1000);
      push('e2e', 'p99', q.p99 * 1000);
    }
  }
  return { points, exposed: exposedPanels(samples) };
}
