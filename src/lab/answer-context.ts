import { formatMs } from '../shared/duration.js';
import type { Backends, Claim, ClaimBasis, LabSettings, ModeAnalysis, ModeSummary } from './types.js';

/** What the answers are generated from: this run's settings, backends and both modes' analyses. */
export interface AnswerInput {
  settings: Pick<
    LabSettings,
    'minRps' | 'maxRps' | 'periodMs' | 'cycles' | 'rpsLimit' | 'processRps' | 'drainTimeoutMs'
  >;
  backends: Backends;
  shed: ModeAnalysis;
  queue: ModeAnalysis;
}

/** Milliseconds for prose; "n/a" when the run produced no value. */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : formatMs(value);
}

export function pct(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = (100 * part) / whole;
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

/** "fell", "rose" or "stayed about the same": a change under 20% on a noisy 2-core box is not a change. */
export function direction(from: number, to: number): 'fell' | 'rose' | 'stayed about the same' {
  if (from <= 0 && to <= 0) return 'stayed about the same';
  const ratio = from <= 0 ? Number.POSITIVE_INFINITY : to / from;
  if (ratio < 0.8) return 'fell';
  if (ratio > 1.25) return 'rose';
  return 'stayed about the same';
}

export function ratioText(from: number | null, to: number | null): string {
  if (from === null || to === null || from <= 0 || to <= 0) return '';
  const r = to / from;
  // "1.0×" says nothing, and "(1.0× lower)" reads as a change.
  if (Math.abs(r - 1) < 0.05) return '';
  return r >= 1 ? ` (${r.toFixed(1)}×)` : ` (${(1 / r).toFixed(1)}× lower)`;
}

/** A number an answer quotes: its value, where results.json keeps it, and how the text shows it. */
export interface Figure {
  readonly path: string;
  readonly value: number | null;
  readonly text: string;
}

/** Part of a sentence that quotes figures, to be spliced into a claim. */
export interface Fragment {
  readonly text: string;
  readonly figures: Readonly<Record<string, number | null>>;
}

type Part = string | Figure | Fragment;
type Format = (v: number) => string;

const plain: Format = (v) => v.toLocaleString('en-US');
const seconds: Format = (v) => `${v} s`;

/** Any value of results.json at `path`, shown with `format`. */
export function at(path: string, value: number | null | undefined, format: Format = plain): Figure {
  const v = value ?? null;
  return { path, value: v, text: v === null ? 'n/a' : format(v) };
}

type NumberKey = {
  [K in keyof ModeSummary]: ModeSummary[K] extends number | null ? K : never;
}[keyof ModeSummary];

/** A mode's summary value, read from the analysis itself, so path and value cannot disagree. */
export function n(m: ModeAnalysis, key: NumberKey, format: Format = plain): Figure {
  return at(`modes.${m.mode}.summary.${key}`, m.summary[key], format);
}
/** The same, in milliseconds as prose ("4.08s", "60.0ms"). */
export const t = (m: ModeAnalysis, key: NumberKey): Figure => n(m, key, formatMs);
/** The same, in seconds ("3.2 s"). */
export const s = (m: ModeAnalysis, key: NumberKey): Figure => n(m, key, seconds);
/** One element of a per-cycle list of the summary. */
export function nth(
  m: ModeAnalysis,
  key: 'backlogPeaks' | 'backlogLows' | 'predictedBacklogPeaks' | 'predictedBacklogLows',
  i: number,
): Figure {
  return at(`modes.${m.mode}.summary.${key}.${i}`, m.summary[key][i]);
}
/** The server's own latency for `status` (from its histogram), in prose milliseconds. */
export function serverMs(
  m: ModeAnalysis,
  status: string,
  key: 'p50Ms' | 'p99Ms' | 'p50LeMs' | 'p99LeMs',
): Figure {
  return at(`modes.${m.mode}.serverLatency.${status}.${key}`, m.serverLatency[status]?.[key], formatMs);
}

/**
 * The server's quantile as its histogram shows it for certain: "≤ 250ms", the upper bound of the
 * bucket holding it (never an interpolated value presented as measured); "above the largest bucket"
 * when it lies in +Inf.
 */
export function serverBound(m: ModeAnalysis, status: string, key: 'p50LeMs' | 'p99LeMs'): Fragment {
  const f = serverMs(m, status, key);
  if (f.value !== null) return frag`≤ ${f}`;
  // Null means no histogram for this status, or a quantile in +Inf: say which, quoting a figure.
  const entry = m.serverLatency[status];
  if (entry === undefined || entry.count === 0) return frag`${f} (no such responses in the histogram)`;
  const count = at(`modes.${m.mode}.serverLatency.${status}.count`, entry.count);
  return frag`above the largest finite bucket (${count} responses)`;
}
/** A setting of this run. */
export function setting(input: AnswerInput, key: keyof AnswerInput['settings']): Figure {
  return at(`settings.${key}`, input.settings[key]);
}

function splice(strings: TemplateStringsArray, parts: Part[]): Fragment {
  const figures: Record<string, number | null> = {};
  let text = '';
  strings.forEach((str, i) => {
    text += str;
    const part = parts[i];
    if (part === undefined) return;
    if (typeof part === 'string') {
      text += part;
      return;
    }
    text += part.text;
    if ('path' in part) figures[part.path] = part.value;
    else Object.assign(figures, part.figures);
  });
  return { text, figures };
}

/** A sentence fragment that quotes figures: `frag\`peak ${n(queue, 'peakBacklog')}\``. */
export function frag(strings: TemplateStringsArray, ...parts: Part[]): Fragment {
  return splice(strings, parts);
}

/** The label that opens every claim that is not a measurement of this run, so no reader mistakes one. */
export const LABELS: Record<ClaimBasis, string> = {
  measured: '',
  method: '',
  design: 'By design, not tested by this run: ',
  model: 'From the settings, a model and not a measurement: ',
};

function claimOf(basis: ClaimBasis) {
  return (strings: TemplateStringsArray, ...parts: Part[]): Claim => {
    const { text, figures } = splice(strings, parts);
    return { basis, text: `${LABELS[basis]}${text}`, figures: { ...figures } };
  };
}

/** A claim from this run's numbers. */
export const measured = claimOf('measured');
/** A property of how the service is built, which this run does not test. */
export const design = claimOf('design');
/** A prediction computed from the settings. */
export const model = claimOf('model');
/** What the lab did or suggests: no claim about the service. */
export const method = claimOf('method');

/** Figures in a row, "36, 35": one fragment quoting each. */
export function joined(figures: readonly Figure[], separator = ', '): Fragment {
  const out: Record<string, number | null> = {};
  for (const f of figures) out[f.path] = f.value;
  return { text: figures.map((f) => f.text).join(separator), figures: out };
}
