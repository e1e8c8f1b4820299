import { escapeHtml, renderHtmlReport, renderTable, type Section } from '../report/mod.js';
import { formatMs } from '../shared/duration.js';
import { chartPairs } from './charts.js';
import type { Answer, Claim, LabMode, LabResult, LabSettings, ModeSummary } from './types.js';

type Row = readonly [label: string, key: keyof ModeSummary, unit?: 'ms' | 's'];

/** The table and results.json use the same words: these are the labels of the summary's keys. */
export const ROWS: readonly Row[] = [
  ['requests sent', 'sent'],
  ['accepted (2xx, as the load generator saw them)', 'accepted'],
  ['acknowledged (2xx, as the service counted them)', 'acknowledged'],
  ['rejected (5xx)', 'rejected'],
  ['rejections predicted by the integral', 'predictedRejected'],
  ['other failures (4xx, transport)', 'failed'],
  ['processed (rows with processed_at)', 'processed'],
  ['rows in the database', 'rows'],
  ['still in JetStream after the stop', 'queuedAfterStop'],
  ['lost (acknowledged, no row, not queued)', 'lost'],
  ['HTTP p50', 'httpP50Ms', 'ms'],
  ['HTTP p99', 'httpP99Ms', 'ms'],
  ['HTTP max', 'httpMaxMs', 'ms'],
  ['peak backlog (orders)', 'peakBacklog'],
  ['backlog peak of each cycle', 'backlogPeaks'],
  ['backlog low after each peak (the night)', 'backlogLows'],
  ['peaks predicted by the fluid model', 'predictedBacklogPeaks'],
  ['lows predicted by the fluid model', 'predictedBacklogLows'],
  ['processed per second while backlogged', 'processedPerSWhileBacklogged'],
  ['drained before the watch ended', 'drained'],
  ['backlog at the last reading', 'backlogAtEnd'],
  ['drain time, last peak → empty', 'drainSeconds', 's'],
  ['empty after the load ended', 'drainAfterLoadSeconds', 's'],
  ['end-to-end p50', 'e2eP50Ms', 'ms'],
  ['end-to-end p99', 'e2eP99Ms', 'ms'],
  ['end-to-end max', 'e2eMaxMs', 'ms'],
  ['work_done_total done', 'workDone'],
  ['work_done_total error', 'workError'],
];

/** Rows about the queue: shed mode has none, so its cell says so instead of showing a 0. */
const QUEUE_ONLY = new Set<keyof ModeSummary>([
  'queuedAfterStop',
  'peakBacklog',
  'backlogPeaks',
  'backlogLows',
  'predictedBacklogPeaks',
  'predictedBacklogLows',
  'processedPerSWhileBacklogged',
  'drained',
  'backlogAtEnd',
  'drainSeconds',
  'drainAfterLoadSeconds',
]);

function cell(mode: LabMode, summary: ModeSummary, key: keyof ModeSummary, unit?: 'ms' | 's') {
  if (mode === 'shed' && QUEUE_ONLY.has(key)) return 'no queue';
  const v = summary[key];
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map((x) => (x === null ? 'no reading' : String(x))).join(', ');
  if (v === null) {
    if (key === 'drainSeconds' || key === 'drainAfterLoadSeconds')
      return summary.drained ? null : 'not drained';
    if (key === 'predictedRejected') return 'none: queue mode sheds nothing';
    if (key === 'queuedAfterStop') return 'none: the in-process queue ends with the service';
    if (key === 'backlogAtEnd') return 'no reading';
    return null;
  }
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
      cell('shed', shed.summary, key, unit),
      cell('queue', queue.summary, key, unit),
    ]),
  });
}

/** A claim's text, its basis as an attribute (the text itself carries the label a reader sees). */
function claimHtml(tag: 'p' | 'li', c: Claim): string {
  return `<${tag} data-basis="${c.basis}">${escapeHtml(c.text)}</${tag}>`;
}

function answerHtml(a: Answer): string {
  const paragraphs = a.paragraphs.map((c) => claimHtml('p', c)).join('');
  const items = a.items ? `<ul>${a.items.map((c) => claimHtml('li', c)).join('')}</ul>` : '';
  return `<h3>${escapeHtml(a.question)}</h3>${paragraphs}${items}`;
}

/** The drain, as measured; when it did not finish, where the orders it left are counted. */
function drainLine(result: LabResult): string {
  const q = result.modes.queue.summary;
  if (q.drained) {
    return (
      `Queue mode's backlog (peak ${q.peakBacklog}) read 0 again ${q.drainSeconds} s after its last peak, ` +
      `${q.drainAfterLoadSeconds} s after the load ended.`
    );
  }
  const where =
    q.queuedAfterStop === null
      ? 'the in-process queue ended with the service, so the lost count below is what the database held after the stop'
      : `${q.queuedAfterStop} were still in JetStream after the service stopped: counted as queued, not lost`;
  const last =
    q.backlogAtEnd === null
      ? 'no reading of the backlog succeeded'
      : `${q.backlogAtEnd} orders were waiting at the last reading`;
  return (
    `Queue mode's backlog had NOT drained when the watch ended, ${(q.watchSeconds - q.loadSeconds).toFixed(1)} s ` +
    `after the load: ${last}; ${where}.`
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
    `Run: shed mode, then queue mode. Queue mode's backlog is read every 0.5 s (${result.modes.queue.backlogSource}); ` +
      `after the load it is watched until it reads 0 twice in a row at least 1 s after the load ended, for at ` +
      `most ${formatMs(s.drainTimeoutMs)} (never less than 2 s). Started ${result.startedAt}.`,
    drainLine(result),
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
