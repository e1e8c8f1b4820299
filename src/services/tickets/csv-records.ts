/**
 * The CSV part of a ticket as records, read by csv-parse (RFC 4180 quoting, relaxed: a stray quote
 * inside a field is kept as a character, and rows may have any number of fields).
 *
 * A record never spans lines: a till receipt has no line break inside a product name, so a quote
 * still open at the end of its line is a broken row (`unclosed_quote`), not the start of a long field
 * that would swallow every row after it. Blank lines, lines over LIMITS.maxLineChars and lines with
 * more than LIMITS.maxFields fields (counting every comma, quoted or not) are set aside before
 * csv-parse sees anything, and a part with more than `maxRecords` lines is refused unread, so the work
 * is bounded: at most maxRecords lines of at most maxLineChars characters and maxFields fields, read
 * at most twice (once in one call, once line by line after a broken line).
 */
import { parse } from 'csv-parse/sync';
import { LIMITS, type WarningList } from './ticket.js';

export interface CsvRecord {
  /** The fields as csv-parse gives them: unquoted, not trimmed. */
  readonly fields: readonly string[];
  /** 1-based line of the body. */
  readonly line: number;
}

export type CsvRead =
  | { readonly ok: true; readonly records: readonly CsvRecord[] }
  /** More than `maxRecords` non-blank lines: nothing was parsed. */
  | { readonly ok: false; readonly lines: number };

interface ContentLine {
  readonly text: string;
  readonly line: number;
}

const OPTIONS = {
  // Line endings are LF by now. Left to auto-detect, csv-parse probes for a delimiter at every
  // character of a record until it meets one: 4 ms for a single 1 KB line instead of 0.4.
  record_delimiter: '\n',
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: false,
  skip_records_with_error: true,
} as const;

/** Thrown out of csv-parse's on_record to stop it at the first record that spans lines. */
class SpansLines {
  constructor(readonly index: number) {}
}

/**
 * Reads the records of `lines` from index `start` on: at most `maxRecords` non-blank lines (the
 * column row included), else `{ ok: false }` with their count. Adds `empty_line`, `line_too_long`
 * and `unclosed_quote` warnings. Never throws.
 */
export function readCsvRecords(
  lines: readonly string[],
  start: number,
  maxRecords: number,
  warnings: WarningList,
): CsvRead {
  const content: ContentLine[] = [];
  for (let i = start; i < lines.length; i++) {
    const text = lines[i] as string;
    if (text.trim() === '') warnings.add('empty_line', () => 'blank line skipped', { line: i + 1 });
    else content.push({ text, line: i + 1 });
  }
  if (content.length > maxRecords) return { ok: false, lines: content.length };
  const records: CsvRecord[] = [];
  const kept = content.filter((c) => {
    if (c.text.length > LIMITS.maxLineChars) {
      warnings.add('line_too_long', `${c.text.length} characters, at most ${LIMITS.maxLineChars}`, {
        line: c.line,
      });
      return false;
    }
    // csv-parse costs about a microsecond per field: a line of commas is refused before it runs.
    if (countCommas(c.text, LIMITS.maxFields) >= LIMITS.maxFields) {
      warnings.add('too_many_fields', `more than ${LIMITS.maxFields} fields`, { line: c.line });
      return false;
    }
    return true;
  });
  // Fast path: every line in one call. It stops at the first record that is not exactly one line.
  const broken = parseAll(kept, records);
  if (broken >= 0) {
    const at = { line: (kept[broken] as ContentLine).line };
    warnings.add(
      'unclosed_quote',
      'a quote opened on this line is not closed on it; the line was skipped',
      at,
    );
    // Slow path for the rest: a call per line (about 50 µs each), so another open quote costs one line.
    for (const c of kept.slice(broken + 1)) parseOne(c, records, warnings);
  }
  return { ok: true, records };
}

/** Commas in `text`, counting no further than `limit`. */
function countCommas(text: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf(','); i >= 0 && n < limit; i = text.indexOf(',', i + 1)) n++;
  return n;
}

/** Parses `content` in one call into `records`; returns the index of the first broken line, or -1. */
function parseAll(content: readonly ContentLine[], records: CsvRecord[]): number {
  // Index in `content` of the line the next record starts on.
  let next = 0;
  let unclosed = false;
  try {
    parse(content.map((c) => c.text).join('\n'), {
      ...OPTIONS,
      on_skip: () => {
        // Only CSV_QUOTE_NOT_CLOSED reaches here with these options (fuzzed); it is always the last record.
        unclosed = true;
        return undefined;
      },
      on_record: (fields: string[], context) => {
        if (context.lines !== next + 1) throw new SpansLines(next);
        records.push({ fields, line: (content[next] as ContentLine).line });
        next = context.lines;
        return null;
      },
    });
  } catch (err) {
    if (err instanceof SpansLines) return err.index;
    // Not seen (fuzzed): csv-parse stopped; the per-line path takes over from the line it was on.
    return next;
  }
  return unclosed ? next : -1;
}

function parseOne(c: ContentLine, records: CsvRecord[], warnings: WarningList): void {
  let failed = false;
  try {
    const onSkip = (): undefined => {
      failed = true;
    };
    const out: string[][] = parse(c.text, { ...OPTIONS, on_skip: onSkip });
    for (const fields of out) records.push({ fields, line: c.line });
  } catch {
    failed = true;
  }
  if (failed) {
    warnings.add('unclosed_quote', 'a quote opened on this line is not closed on it; the line was skipped', {
      line: c.line,
    });
  }
}
