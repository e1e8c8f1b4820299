import { escapeHtml, renderHtmlReport, renderTable, type Section } from '../report/mod.js';
import { formatMs } from '../shared/duration.js';
import { chartPairs } from './charts.js';
import type { Answer, LabResult, LabSettings, ModeSummary } from './types.js';

type Row = readonly [label: string, key: keyof ModeSummary, unit?: 'ms' | 's'];

/** The table and results.json use the same words: these are the labels of the summary's keys. */

export const ROWS: readonly Row[] = [
  ['requests sent', 'sent'],
  ['accepted (2xx)', 'accepted'],
  ['rejected (5xx)', 'rejected'],
  ['rejections predicted by the integral', 'predictedRejected'],
  ['other failures (4xx, transport)', 'failed'],
  ['processed (rows with processed_at)', 'processed'],
  ['rows in the database', 'rows'],
  ['lost (accepted, never processed)', 'lost'],
  ['HTTP p50', 'httpP50Ms', 'ms'],
  ['HTTP p99', 'httpP99Ms', 'ms'],
  ['HTTP max', 'httpMaxMs', 'ms'],
  ['peak backlog (orders)', 'peakBacklog'],
  ['drained before the watch ended', 'drained'],
  ['still in the queue at the end', 'backlogAtEnd'],
  ['drain time, peak → empty', 'drainSeconds', 's'],
  ['empty after the load ended', 'drainAfterLoadSeconds', 's'],
  ['end-to-end p50', 'e2eP50Ms', 'ms'],
  ['end-to-end p99', 'e2eP99Ms', 'ms'],
  ['end-to-end max', 'e2eMaxMs', 'ms'],
  ['work_done_total done', 'workDone'],
  ['work_done_total error', 'workError'],
];

function cell(summary: ModeSummary, key: keyof ModeSummary, unit?: 'ms' | 's'): string | number | null {
  const v = summary[key];
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null) return key === 'drainSeconds' && !summary.drained ? 'not drained' : null;
  if (unit === 'ms') return formatMs(v);
  if (unit === 's') return `${v} s`;
  return v;
}

function summaryTable(result: LabResult): string {
  const { shed, queue } = result.modes;
  return renderTable({
    head: ['', 'shed', 'queue'],
    rows: ROWS.map(([label, key, unit]) => [
      label,
      cell(shed.summary, key, unit),
      cell(queue.summary, key, unit),
    ]),
  });
}

function answerHtml(a: Answer): string {
  const paragraphs = a.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('');
  const items = a.items ? `<ul>${a.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '';
  return `<h3>${escapeHtml(a.question)}</h3>${paragraphs}${items}`;
}

function drainLine(q: ModeSummary, timeoutMs: number): string {
  if (q.drained)
    return `Queue mode's backlog (peak ${q.peakBacklog}) drained ${q.drainSeconds} s after its last peak.`;
  return (
    `Queue mode's backlog had NOT drained when the watch ended after ${formatMs(timeoutMs)}: ` +
    `${q.backlogAtEnd} orders were still waiting when the service was stopped, so the processed and lost ` +
    `counts below are those of an unfinished drain.`
  );
}

function setupHtml(result: LabResult): string {
  const s = result.settings;
  const b = result.backends;
  const lines = [
    `Load: a sine from ${s.minRps} to ${s.maxRps} requests/s, period ${formatMs(s.periodMs)}, ` +
      `${s.cycles} cycles, POST /orders, the same for both modes.`,
    `Service: peaklab serve orders, --rps-limit ${s.rpsLimit} (the shed threshold), ` +
      `--process-rps ${s.processRps} (the backend's capacity).`,
    `Backends: ${b.queue === 'jetstream' ? 'NATS JetStream (file storage)' : 'the in-process queue (memory only)'} ` +
      `and ${b.database === 'postgres' ? 'Postgres' : 'embedded PGlite'}.`,
    `Run: shed mode, then queue mode; queue mode is watched after the load until the backlog drains ` +
      `(at most ${formatMs(s.drainTimeoutMs)}). Started ${result.startedAt}.`,
    drainLine(result.modes.queue.summary, s.drainTimeoutMs),
  ];
  return `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
}

/** report.html: one self-contained page, shed and queue side by side on the same time axes. */
export function renderLabReport(result: LabResult, settings: LabSettings): string {
  const sections: Section[] = [
    { title: 'The experiment', html: setupHtml(result) },
    { title: 'Summary', html: summaryTable(result) },
    {
      title: "The seed's three questions, answered from this run",
      html: result.answers.map(answerHtml).join(''),
    },
    ...chartPairs(result, settings).map((pair) => ({
      title: pair.title,
      columns: 2 as const,
      html: '<p class="note">Left: shed mode. Right: queue mode. Same axes.</p>',
      charts: pair.charts,
    })),
  ];
  return renderHtmlReport({
    title: 'peaklab lab smooth-corners: shed vs queue under a sine load',
    subtitle: `${result.backends.queue} queue, ${result.backends.database} database, ${result.startedAt}`,
    sections,
  });
}
