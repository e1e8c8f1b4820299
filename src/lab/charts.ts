import type { Chart, ChartSeries } from '../report/mod.js';
import { isRejection } from './summary.js';
import type { LabMode, LabResult, LabSettings, ModeSecond } from './types.js';

const GREEN = '#16a34a';
const RED = '#dc2626';
const GREY = '#6b7280';
const BLUE = '#2563eb';
const AMBER = '#d97706';
const PURPLE = '#7c3aed';

/** A pair of charts, one per mode, with the same axes so they compare at a glance. */
export interface ChartPair {
  title: string;
  charts: Chart[];
}

interface ChartKind {
  key: string;
  title: string;
  yLabel: string;
  stacked?: boolean;
  series(rows: readonly ModeSecond[], settings: LabSettings, statuses: readonly string[]): ChartSeries[];
}

function statusColor(status: string): string {
  if (status.startsWith('2')) return GREEN;
  if (isRejection(status)) return RED;
  return GREY;
}

const KINDS: readonly ChartKind[] = [
  {
    key: 'status',
    title: 'Responses by status per second (stacked)',
    yLabel: 'responses/s',
    stacked: true,
    series: (rows, _s, statuses) =>
      statuses.map((status) => ({
        label: status,
        color: statusColor(status),
        values: rows.map((r) => (r.target === null ? null : (r.status[status] ?? 0))),
      })),
  },
  {
    key: 'work',
    title: 'Work Done per second by status (stacked)',
    yLabel: 'orders/s',
    stacked: true,
    series: (rows) => [
      { label: 'done', color: GREEN, values: rows.map((r) => r.workDone) },
      { label: 'error', color: RED, values: rows.map((r) => r.workError) },
    ],
  },
  {
    key: 'rate',
    title: 'Target rate, requests started, and the limits',
    yLabel: 'requests/s',
    series: (rows, s) => [
      { label: 'target', color: BLUE, values: rows.map((r) => r.target) },
      { label: 'started', color: PURPLE, values: rows.map((r) => r.started) },
      { label: `--rps-limit ${s.rpsLimit}`, color: RED, dash: true, values: rows.map(() => s.rpsLimit) },
      {
        label: `--process-rps ${s.processRps}`,
        color: GREY,
        dash: true,
        values: rows.map(() => s.processRps),
      },
    ],
  },
  {
    key: 'queue',
    title:
      'Backlog (waiting + in flight, read every 0.5 s), orders_queue_depth as scraped, and orders in flight',
    yLabel: 'orders',
    series: (rows) => [
      { label: 'backlog', color: AMBER, values: rows.map((r) => r.backlog) },
      { label: 'orders_queue_depth', color: GREY, dash: true, values: rows.map((r) => r.queueDepth) },
      { label: 'in flight', color: BLUE, values: rows.map((r) => r.inflight) },
    ],
  },
  {
    key: 'http',
    title: 'HTTP latency per second (from intended start)',
    yLabel: 'ms',
    series: (rows) => [
      { label: 'p50', color: BLUE, values: rows.map((r) => r.httpP50Ms) },
      { label: 'p99', color: RED, values: rows.map((r) => r.httpP99Ms) },
    ],
  },
  {
    key: 'e2e',
    title: 'End-to-end order latency, accepted → processed (by second processed)',
    yLabel: 'ms',
    series: (rows) => [
      { label: 'p50', color: BLUE, values: rows.map((r) => r.e2eP50Ms) },
      { label: 'p99', color: RED, values: rows.map((r) => r.e2eP99Ms) },
      { label: 'max', color: GREY, values: rows.map((r) => r.e2eMaxMs) },
      // The service's own histogram, next to the rows' timestamps: two views of the same delay.
      {
        label: 'mean (service /metrics)',
        color: AMBER,
        dash: true,
        values: rows.map((r) => r.serverE2eMeanMs),
      },
    ],
  },
  {
    key: 'cost',
    title: "The service's cost: CPU, event-loop lag and heap",
    yLabel: '% of a core / ms / MB',
    series: (rows) => [
      { label: 'CPU %', color: PURPLE, values: rows.map((r) => r.cpuPercent) },
      { label: 'event-loop lag p99 ms', color: AMBER, values: rows.map((r) => r.eventLoopLagP99Ms) },
      { label: 'heap used MB', color: GREY, values: rows.map((r) => r.heapMb) },
    ],
  },
];

/** The highest point a chart reaches: the stacked total per second, or the highest single value. */
function peak(series: readonly ChartSeries[], stacked: boolean): number {
  let best = 0;
  const n = series[0]?.values.length ?? 0;
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (stacked && !s.dash) total += v;
      else best = Math.max(best, v);
    }
    best = Math.max(best, total);
  }
  return best;
}

/** Every chart of the report, in pairs: shed on the left, queue on the right, same x and y ranges. */
export function chartPairs(result: LabResult, settings: LabSettings): ChartPair[] {
  const modes: LabMode[] = ['shed', 'queue'];
  const length = result.modes.shed.timeline.length;
  const x = Array.from({ length }, (_, i) => i);
  const statuses = [
    ...new Set(modes.flatMap((m) => result.modes[m].timeline.flatMap((r) => Object.keys(r.status)))),
  ].sort();
  return KINDS.map((kind) => {
    const perMode = modes.map((m) => kind.series(result.modes[m].timeline, settings, statuses));
    const yMax = Math.ceil(Math.max(1, ...perMode.map((s) => peak(s, kind.stacked === true))) * 1.05);
    return {
      title: kind.title,
      charts: modes.map((mode, i) => ({
        id: `${kind.key}-${mode}`,
        title: `${mode}: ${kind.title}`,
        x,
        xLabel: 'seconds since the load started',
        yLabel: kind.yLabel,
        stacked: kind.stacked,
        xRange: [0, Math.max(1, length - 1)] as const,
        yMax,
        series: perMode[i] ?? [],
      })),
    };
  });
}
