/**
 * A small reader for the Prometheus text exposition format: only the sample lines that the lab and
 * the dashboard need (`name{label="value",...} value [timestamp]`). HELP/TYPE comments are skipped; a
 * malformed line is skipped rather than failing the whole scrape, because telemetry never breaks the
 * experiment. Label values are whatever the target sent: callers treat them as untrusted text.
 */
import { PeaklabError } from '../shared/errors.js';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

function unescapeLabel(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(raw: string): number | undefined {
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  const n = Number(raw);
  return raw === '' || Number.isNaN(n) ? undefined : n;
}

/**
 * One sample line (`name{label="value",...} value [timestamp]`), or undefined for a comment, a blank
 * or a malformed line. Label values are unescaped (`\"`, `\\`, `\n`); the timestamp is ignored.
 */
export function parsePromLine(line: string): PromSample | undefined {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const name = NAME.exec(text)?.[0];
  if (!name) return undefined;
  let rest = text.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const close = findLabelsEnd(rest);
    if (close < 0) return undefined;
    const body = rest.slice(1, close);
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const at = LABEL.lastIndex;
      const m = LABEL.exec(body);
      if (!m) {
        if (body.slice(at).trim() === '') break;
        return undefined;
      }
      labels[m[1] as string] = unescapeLabel(m[2] as string);
    }
    rest = rest.slice(close + 1);
  }
  const value = parseValue(rest.trim().split(/\s+/)[0] ?? '');
  return value === undefined ? undefined : { name, labels, value };
}

// The closing brace that is not inside a quoted label value.
function findLabelsEnd(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '}' && !quoted) return i;
  }
  return -1;
}

export interface ParseLimits {
  /**
   * Most samples one exposition may hold (default: no limit). Past it the whole text is refused:
   * a partial scrape would chart wrong sums, and an unbounded one lets a target exhaust our memory.
   */
  maxSamples?: number;
}

/**
 * Every well-formed sample line of `text`, in order.
 * @throws PeaklabError PL_TARGET_INVALID when the text holds more than `limits.maxSamples` samples.
 */
export function parsePromText(text: string, limits: ParseLimits = {}): PromSample[] {
  const max = limits.maxSamples ?? Number.POSITIVE_INFINITY;
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    const sample = parsePromLine(line);
    if (!sample) continue;
    if (out.length >= max) {
      throw new PeaklabError('PL_TARGET_INVALID', `more than ${max} samples in one scrape (the limit)`);
    }
    out.push(sample);
  }
  return out;
}

/** Sum of every sample named `name` whose labels include all of `match`. */
export function sumWhere(
  samples: readonly PromSample[],
  name: string,
  match: Record<string, string> = {},
): number {
  let total = 0;
  for (const s of samples) {
    if (s.name === name && matches(s.labels, match)) total += s.value;
  }
  return total;
}

export function matches(labels: Record<string, string>, match: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(match)) if (labels[k] !== v) return false;
  return true;
}

/**
 * A quantile from cumulative histogram buckets, as PromQL's histogram_quantile does: find the bucket
 * holding the rank and interpolate linearly within it. Null when the histogram is empty.
 */
export function histogramQuantile(
  q: number,
  buckets: ReadonlyArray<{ le: number; count: number }>,
): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      // Above the last finite bound there is nothing to interpolate to: report that bound.
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.le : prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
