import type { Chart, Section } from '../report/mod.js';
import { escapeHtml, renderHtmlReport, renderTable } from '../report/mod.js';
import { formatMs } from '../shared/duration.js';
import { PERCENTILES } from './histogram.js';
import { isOkStatus, okTable } from './ok-status.js';
import { accountingLines, LATENCY_EXPLAINED } from './report-text.js';
import { stepsSection } from './scenario/report.js';
import type { LoadResult } from './types.js';

const STATUS_COLORS: Record<string, string> = {
  '2': '#2e7d32',
  '3': '#1565c0',
  '4': '#ef6c00',
  '5': '#c62828',
};

/** A status's colour: by class, except that a status the run counted as failed never looks fine. */
function statusColor(code: string, ok: boolean): string | undefined {
  const byClass = STATUS_COLORS[code[0] ?? ''];
  if (ok) return byClass;
  return code[0] === '2' || code[0] === '3' ? (STATUS_COLORS['4'] as string) : byClass;
}

function summaryTable(result: LoadResult): string {
  const s = result.summary;
  const account = accountingLines(result);
  const table = renderTable({
    head: [
      'target rate /s',
      'achieved /s',
      'scheduled',
      'started',
      'dropped',
      'ok',
      'failed',
      'unfinished',
      'late',
      'error rate',
    ],
    rows: [
      [
        s.targetRate,
        s.achievedRate,
        s.scheduled,
        s.started,
        s.dropped,
        s.ok,
        s.failed,
        s.unfinished ?? 0,
        s.late,
        `${(s.errorRate * 100).toFixed(2)}%`,
      ],
    ],
  });
  const drain =
    (s.drainMs ?? 0) > 0
      ? `, then a drain of ${formatMs(s.drainMs ?? 0)} while the last requests finished`
      : '';
  return (
    `<p>Requests: ${escapeHtml(account.requests)}.<br>Outcomes: ${escapeHtml(account.outcomes)}.</p>` +
    `<p>Schedule: ${escapeHtml(formatMs(s.durationMs))}${escapeHtml(drain)}. Ok means ${escapeHtml(result.settings.okStatus ?? '2xx')}.</p>` +
    table
  );
}

function latencyTable(result: LoadResult): string {
  return renderTable({
    head: ['', ...PERCENTILES.map(([n]) => n), 'max'],
    rows: [
      [
        'from intended start',
        ...PERCENTILES.map(([n]) => formatMs(result.latency.percentiles[n] ?? 0)),
        formatMs(result.latency.maxMs),
      ],
      [
        'service time',
        ...PERCENTILES.map(([n]) => formatMs(result.serviceTime.percentiles[n] ?? 0)),
        formatMs(result.serviceTime.maxMs),
      ],
    ],
  });
}

function thresholdTable(result: LoadResult): string {
  if (!result.thresholds || result.thresholds.length === 0) return '';
  return renderTable({
    head: ['threshold', 'result', 'detail'],
    rows: result.thresholds.map((t) => [t.expression, t.passed ? 'pass' : 'FAIL', t.detail]),
  });
}

function charts(result: LoadResult): Chart[] {
  const tl = result.timeline;
  const x = tl.map((s) => s.second);
  const drainFrom = tl.findIndex((s) => s.phase === 'drain');
  const xLabel = drainFrom < 0 ? 'second' : `second (from ${drainFrom}: the drain after the schedule)`;
  const codes = [...new Set(tl.flatMap((s) => [...Object.keys(s.status), ...Object.keys(s.errors)]))].sort();
  const protocol = result.settings.grpc ? 'grpc' : 'http';
  // The run's own rule (files from before --ok-status counted 2xx, or gRPC OK).
  const table = okTable(result.settings.okStatus ?? (protocol === 'http' ? '2xx' : 'OK'), protocol);
  const errorKinds = new Set(tl.flatMap((s) => Object.keys(s.errors)));
  const isOk = (c: string) => !errorKinds.has(c) && isOkStatus(table, protocol, c);
  return [
    {
      id: 'rate',
      title: 'Rate: target vs achieved (requests/s)',
      x,
      xLabel,
      yLabel: 'req/s',
      series: [
        { label: 'target', values: tl.map((s) => s.target), dash: true, color: '#888' },
        { label: 'started', values: tl.map((s) => s.started), color: '#1565c0' },
        { label: 'completed', values: tl.map((s) => s.completed), color: '#2e7d32' },
        { label: 'dropped', values: tl.map((s) => s.dropped), color: '#c62828' },
      ],
    },
    {
      id: 'status',
      title: 'Responses per second by status',
      x,
      xLabel,
      yLabel: 'responses/s',
      stacked: true,
      series: codes.map((c) => {
        const color = statusColor(c, isOk(c));
        return {
          label: c,
          values: tl.map((s) => s.status[c] ?? s.errors[c] ?? 0),
          kind: 'bars' as const,
          ...(color ? { color } : {}),
        };
      }),
    },
    {
      id: 'latency',
      title: 'Latency from intended start, per second (ms)',
      x,
      xLabel,
      yLabel: 'ms',
      series: [
        { label: 'p50', values: tl.map((s) => s.p50Ms), color: '#2e7d32' },
        { label: 'p90', values: tl.map((s) => s.p90Ms), color: '#f9a825' },
        { label: 'p99', values: tl.map((s) => s.p99Ms), color: '#c62828' },
        { label: 'max', values: tl.map((s) => s.maxMs), color: '#6a1b9a', dash: true },
      ],
    },
  ];
}

/** One self-contained HTML page for a run: summary, the three charts and the latency explanation. */
export function renderLoadHtml(result: LoadResult): string {
  const s = result.settings;
  const model = s.model === 'open' ? `open model, rate ${s.rate}` : `closed model, ${s.vus} virtual users`;
  const sections: Section[] = [
    { title: 'Summary', html: summaryTable(result) + thresholdTable(result) },
    {
      title: 'Latency',
      html: `${latencyTable(result)}<p>${escapeHtml(LATENCY_EXPLAINED)}</p>`,
    },
    { title: 'Over time', charts: charts(result) },
    ...(result.steps ? [stepsSection(result)] : []),
  ];
  return renderHtmlReport({
    title: `peaklab load: ${s.target}`,
    subtitle: `${model}; started ${result.startedAt}${result.interrupted ? '; interrupted' : ''}`,
    sections,
  });
}
