/**
 * The CSV part of a ticket as records, read by csv-parse (RFC 4180 quoting, relaxed: a stray quote
 * inside a field is kept as a character, and rows may have any number of fields).
 *
 * A record never spans lines: a till receipt has no line break inside a product name, so a quote
 * still open at the end of its line is a broken row (`unclosed_quote`), not the start of a long field
 * that would swallow every row after it. Blank lines, lines over LIMITS.maxLineChars and lines with
 * more than LIMITS.maxFields fields (counting every comma, quoted or not) are set aside before
 * csv-parse sees anything, and a part with more than LIMITS.maxLines rows is refused unread, so the
 * work is bounded: at most maxLines lines of at most maxLineChars characters and maxFields fields,
 * read at most twice (once in one call, once line by line after a broken line).
 */
import { parse } from 'csv-parse/sync';
import { LIMITS, type TicketParseError, type WarningList } from './ticket.js';

export interface CsvRecord {
  /** The fields as csv-parse gives them: unquoted, not trimmed. */
  readonly fields: readonly string[];
  /** 1-based line of the body. */
  readonly line: number;
  /** 1-based data row: the non-blank lines after the column row, counted whether kept or not. */
  readonly row: number;
}

export type CsvRead =
  | {
      readonly ok: true;
      /** The column row's cells, or null when the part has none (the caller assumes the default). */
      readonly columns: CsvRecord | null;
      /** The data rows csv-parse could read. */
      readonly records: readonly CsvRecord[];
      /** Every data row, read or set aside. */
      readonly rows: number;
    }
  | { readonly ok: false; readonly error: Omit<TicketParseError, 'warnings' | 'order'> };

interface ContentLine {
  readonly text: string;
  readonly line: number;
  readonly row: number;
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
 * Reads the CSV part: `lines` from index `start` on, whose first non-blank line is the column row
 * when `columnRow`. Adds `empty_line`, `line_too_long`, `too_many_fields` and `unclosed_quote`
 * warnings. Errors: `too_many_lines` (over LIMITS.maxLines rows), `bad_columns` (a column row that
 * cannot be read). Never throws.
 */
export function readCsvRecords(
  lines: readonly string[],
  start: number,
  columnRow: boolean,
  warnings: WarningList,
): CsvRead {
  const content: ContentLine[] = [];
  for (let i = start; i < lines.length; i++) {
    const text = lines[i] as string;
    if (text.trim() === '') warnings.add('empty_line', () => 'blank line skipped', { line: i + 1 });
    else content.push({ text, line: i + 1, row: content.length + (columnRow ? 0 : 1) });
  }
  const head = columnRow ? content.shift() : undefined;
  if (content.length > LIMITS.maxLines) {
    const detail = `${content.length} rows after the header, at most ${LIMITS.maxLines}`;
    return { ok: false, error: { kind: 'too_many_lines', detail } };
  }
  let columns: CsvRecord | null = null;
  if (head !== undefined) {
    const read = readable(head, warnings) ? parseOne(head, warnings) : null;
    if (read === null) {
      const detail = `the column row could not be read (see the warning on line ${head.line})`;
      return { ok: false, error: { kind: 'bad_columns', detail, line: head.line } };
    }
    columns = read;
  }
  const records: CsvRecord[] = [];
  const kept = content.filter((c) => readable(c, warnings));
  // Fast path: every line in one call. It stops at the first record that is not exactly one line.
  const broken = parseAll(kept, records);
  if (broken >= 0 && broken < kept.length) {
    unclosed(kept[broken] as ContentLine, warnings);
    // Slow path for the rest: a call per line (about 50 µs each), so another open quote costs one line.
    for (const c of kept.slice(broken + 1)) {
      const record = parseOne(c, warnings);
      if (record !== null) records.push(record);
    }
  }
  return { ok: true, columns, records, rows: content.length };
}

/** False, with the warning, for a line set aside unread. */
function readable(c: ContentLine, warnings: WarningList): boolean {
  const at = { line: c.line, ...(c.row > 0 && { row: c.row }) };
  if (c.text.length > LIMITS.maxLineChars) {
    warnings.add('line_too_long', `${c.text.length} characters, at most ${LIMITS.maxLineChars}`, at);
    return false;
  }
  // csv-parse costs about a microsecond per field: a line of commas is refused before it runs.
  if (countCommas(c.text, LIMITS.maxFields) >= LIMITS.maxFields) {
    warnings.add('too_many_fields', `more than ${LIMITS.maxFields} fields`, at);
    return false;
  }
  return true;
}

function unclosed(c: ContentLine, warnings: WarningList): void {
  const at = { line: c.line, ...(c.row > 0 && { row: c.row }) };
  warnings.add('unclosed_quote', 'a quote opened on this line is not closed on it; the line was skipped', at);
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
  let failed = false;
  try {
    parse(content.map((c) => c.text).join('\n'), {
      ...OPTIONS,
      on_skip: () => {
        // Only CSV_QUOTE_NOT_CLOSED reaches here with these options (fuzzed); it is always the last record.
        failed = true;
        return undefined;
      },
      on_record: (fields: string[], context) => {
        if (context.lines !== next + 1) throw new SpansLines(next);
        const c = content[next] as ContentLine;
        records.push({ fields, line: c.line, row: c.row });
        next = context.lines;
        return null;
      },
    });
  } catch (err) {
    if (err instanceof SpansLines) return err.index;
    // Not seen (fuzzed): csv-parse stopped; the per-line path takes over from the line it was on.
    return next;
  }
  return failed ? next : -1;
}

/** One line as one record, or null (with `unclosed_quote`) when csv-parse cannot read it. */
function parseOne(c: ContentLine, warnings: WarningList): CsvRecord | null {
  let failed = false;
  let out: string[][] = [];
  try {
    const onSkip = (): undefined => {
      failed = true;
    };
    out = parse(c.text, { ...OPTIONS, on_skip: onSkip });
  } catch {
    failed = true;
  }
  const fields = out[0];
  if (failed || fields === undefined) {
    unclosed(c, warnings);
    return null;
  }
  return { fields, line: c.line, row: c.row };
}
