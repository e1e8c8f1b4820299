import {
  type Chart,
  escapeHtml,
  formatNumber,
  renderHtmlReport,
  renderTable,
  type Section,
} from '../../report/mod.js';
import type { ModeResult } from './analysis.js';
import type { BurstAnswer } from './answers.js';
import type { BurstSettings } from './settings.js';

/** results.json: every number of the run. */
export interface BurstResult {
  readonly schema: 'peaklab.lab.tickets-burst/v1';
  readonly startedAt: string;
  readonly settings: Omit<BurstSettings, 'databaseUrl' | 'open'> & { readonly profile: string };
  /** Which database both runs used, and what it guarantees. */
  readonly backend: string;
  readonly modes: { readonly 'after-parse': ModeResult; readonly durable: ModeResult };
  readonly answers: readonly BurstAnswer[];
}

const BLUE = '#2563eb';
const RED = '#dc2626';
const GREEN = '#16a34a';
const AMBER = '#d97706';
const GREY = '#6b7280';

const LABEL = { 'after-parse': '--ack after-parse (the seed)', durable: '--ack durable (default)' } as const;

function charts(modes: readonly ModeResult[]): Section[] {
  const len = Math.max(...modes.map((m) => m.seconds.length));
  const x = Array.from({ length: len }, (_, i) => i);
  const pad = <T>(values: T[]) => [...values, ...new Array<null>(len - values.length).fill(null)];
  const yMax = (f: (m: ModeResult) => number[]) => Math.max(1, ...modes.flatMap(f)) * 1.05;
  const latMax = yMax((m) => m.seconds.map((s) => s.p99Ms ?? 0));
  const countMax = yMax((m) => m.seconds.flatMap((s) => [s.stored, s.treated, s.backlog, s.target]));
  const latency: Chart[] = modes.map((m) => ({
    id: `latency-${m.mode}`,
    title: `${LABEL[m.mode]}: HTTP latency per second`,
    x,
    xLabel: 's',
    yLabel: 'ms',
    yMax: latMax,
    series: [
      { label: 'p50', color: BLUE, values: pad(m.seconds.map((s) => s.p50Ms)) },
      { label: 'p99', color: RED, values: pad(m.seconds.map((s) => s.p99Ms)) },
    ],
  }));
  const flow: Chart[] = modes.map((m) => ({
    id: `flow-${m.mode}`,
    title: `${LABEL[m.mode]}: stored (acknowledged) vs treated per second, and the backlog`,
    x,
    xLabel: 's',
    yLabel: 'tickets',
    yMax: countMax,
    series: [
      { label: 'target rate', color: GREY, dash: true, values: pad(m.seconds.map((s) => s.target)) },
      { label: 'stored/s', color: GREEN, values: pad(m.seconds.map((s) => s.stored)) },
      { label: 'treated/s', color: BLUE, values: pad(m.seconds.map((s) => s.treated)) },
      { label: 'backlog (from Postgres)', color: AMBER, values: pad(m.seconds.map((s) => s.backlog)) },
      {
        label: 'tickets_backlog (scraped)',
        color: RED,
        dash: true,
        values: pad(m.seconds.map((s) => s.backlogScraped)),
      },
    ],
  }));
  return [
    { title: 'HTTP latency (from the intended start: no coordinated omission)', charts: latency, columns: 2 },
    {
      title: 'Acknowledged vs treated over time (received_at and treated_at of every row)',
      charts: flow,
      columns: 2,
    },
  ];
}

const n = (v: number | null) => (v === null ? 'n/a' : formatNumber(v));
const msText = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);

function sideBySide(a: ModeResult, b: ModeResult): string {
  const rows: [string, (m: ModeResult) => string][] = [
    ['requests sent', (m) => n(m.http.started)],
    ['202 acknowledged', (m) => n(m.http.acknowledged)],
    [
      'statuses',
      (m) =>
        Object.entries(m.http.statuses)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', '),
    ],
    ['transport errors', (m) => n(m.http.transportErrors)],
    ['HTTP p50', (m) => msText(m.http.p50Ms)],
    ['HTTP p99', (m) => msText(m.http.p99Ms)],
    ['HTTP max', (m) => msText(m.http.maxMs)],
    ['worst second p99', (m) => msText(m.http.worstSecondP99Ms)],
    ['treated lag p50 (treated_at - received_at)', (m) => msText(m.lag.p50Ms)],
    ['treated lag p99', (m) => msText(m.lag.p99Ms)],
    ['treated lag max', (m) => msText(m.lag.maxMs)],
    ['peak backlog (tickets)', (m) => n(m.peakBacklog)],
    [
      'last ticket treated, after the burst ended',
      (m) => (m.drainAfterBurstS === null ? 'n/a' : `${m.drainAfterBurstS} s`),
    ],
    ['treated/s while backlogged', (m) => n(m.treatRateWhileBackloggedPerS)],
    ['drained within the wait', (m) => String(m.drained)],
    ['service exit code at stop', (m) => String(m.exitCode)],
    ['rows: tickets', (m) => n(m.db.rows)],
    ['rows: treated', (m) => n(m.db.treated)],
    ['rows: error', (m) => n(m.db.error)],
    ['rows: still received', (m) => n(m.db.received)],
    ['rows: ticket_lines', (m) => n(m.db.lines)],
    ['rows: products', (m) => n(m.db.products)],
    [
      'identities',
      (m) =>
        Object.entries(m.identities)
          .map(([k, v]) => `${k}: ${v ? 'ok' : 'FAILED'}`)
          .join(', '),
    ],
  ];
  return renderTable({
    head: ['', LABEL[a.mode], LABEL[b.mode]],
    rows: rows.map(([label, f]) => [label, f(a), f(b)]),
  });
}

function kindsTable(a: ModeResult, b: ModeResult, pick: (m: ModeResult) => Readonly<Record<string, number>>) {
  const kinds = [...new Set([...Object.keys(pick(a)), ...Object.keys(pick(b))])].sort();
  if (kinds.length === 0) return '<p>none</p>';
  return renderTable({
    head: ['kind', LABEL[a.mode], LABEL[b.mode]],
    rows: kinds.map((k) => [k, n(pick(a)[k] ?? 0), n(pick(b)[k] ?? 0)]),
  });
}

/** The self-contained report page. */
export function renderBurstReport(r: BurstResult): string {
  const a = r.modes['after-parse'];
  const b = r.modes.durable;
  const answers = r.answers
    .map((x) => `<h3>${escapeHtml(x.question)}</h3><p>${escapeHtml(x.answer)} <em>(${x.basis})</em></p>`)
    .join('');
  return renderHtmlReport({
    title: 'tickets-burst: what does acknowledging early buy, and what does it cost?',
    subtitle:
      `${r.startedAt}: the same burst (${r.settings.profile}, POST /ticket, a corpus of ${r.settings.corpusSize} ` +
      `tickets: 70% well-formed, 25% messy, 5% broken) against serve tickets --ack after-parse, then --ack durable. ` +
      `Database: ${r.backend}.`,
    sections: [
      { title: 'Answers (from this run)', html: answers },
      { title: 'Side by side', html: sideBySide(a, b) },
      ...charts([a, b]),
      {
        title: 'Parse warnings by kind (stored with each ticket)',
        html: kindsTable(a, b, (m) => m.warnings),
      },
      { title: 'Error kinds of tickets that could not be parsed', html: kindsTable(a, b, (m) => m.errors) },
    ],
  });
}
