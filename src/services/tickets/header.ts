/**
 * The tolerant reader of a ticket's header: the `Key: value` lines before the CSV part.
 *
 * Where the CSV starts: at the first line that is a column row (at least two of product, product_id,
 * price as comma-separated cells, in any case, order or spelling such as "Product ID"); when no line
 * is, at the first line that is neither blank nor `Key: value`. Every line before it is header:
 * blank lines are skipped (`empty_line`, except the one separator just before the CSV), `Key: value`
 * lines are read (keys case-insensitive; Order, VAT, Total kept, others `unknown_header`, repeats
 * `duplicate_header` with the first value kept), anything else is `bad_header_line`.
 */
import { excerpt, LIMITS, type WarningList } from './ticket.js';

export type HeaderKey = 'order' | 'vat' | 'total';

export interface HeaderValue {
  /** Trimmed; may be empty. */
  readonly value: string;
  /** 1-based line of the body. */
  readonly line: number;
}

export interface HeaderRead {
  readonly fields: ReadonlyMap<HeaderKey, HeaderValue>;
  /** 0-based index into the lines where the CSV part starts; lines.length when there is none. */
  readonly csvStart: number;
  /** True when the line at csvStart is a column row. */
  readonly columnRow: boolean;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set<HeaderKey>(['order', 'vat', 'total']);
const COLUMN_NAMES: ReadonlySet<string> = new Set(['product', 'productid', 'price']);
// A key is a short word (letters first, then letters, digits, space, _ or -), then a colon.
const KEY_VALUE = /^([A-Za-z][A-Za-z0-9 _-]{0,39}):(.*)$/;

/** A header key or column name reduced to lowercase letters and digits: "Product ID" -> "productid". */
export function nameKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** True when `line` looks like the CSV column row (checked cell by cell, without reading CSV). */
export function isColumnRow(line: string): boolean {
  if (line.length > LIMITS.maxLineChars || !line.includes(',')) return false;
  const names = new Set(line.split(',').map(nameKey));
  let known = 0;
  for (const name of COLUMN_NAMES) if (names.has(name)) known++;
  return known >= 2;
}

/** Reads the header from `lines` (LF-split body), adding its warnings to `warnings`. Never throws. */
export function readHeader(lines: readonly string[], warnings: WarningList): HeaderRead {
  let csvStart = lines.findIndex(isColumnRow);
  const columnRow = csvStart >= 0;
  if (!columnRow) {
    // A line too long to read is skipped where it is; it does not decide where the CSV starts.
    csvStart = lines.findIndex(
      (l) => l.length <= LIMITS.maxLineChars && l.trim() !== '' && !KEY_VALUE.test(l.trim()),
    );
    if (csvStart < 0) csvStart = lines.length;
  }
  const fields = new Map<HeaderKey, HeaderValue>();
  let headerLines = 0;
  for (let i = 0; i < csvStart; i++) {
    const raw = lines[i] as string;
    const line = i + 1;
    if (raw.length > LIMITS.maxLineChars) {
      headerLines++;
      warnings.add('line_too_long', `${raw.length} characters, at most ${LIMITS.maxLineChars}`, { line });
      continue;
    }
    const text = raw.trim();
    if (text === '') {
      // The one blank line just before the CSV is the separator the format asks for.
      if (i !== csvStart - 1 || csvStart === lines.length)
        warnings.add('empty_line', 'blank line skipped', { line });
      continue;
    }
    headerLines++;
    const m = KEY_VALUE.exec(text);
    if (m === null) {
      warnings.add('bad_header_line', () => `not "Key: value": ${excerpt(text)}`, { line });
      continue;
    }
    const key = nameKey(m[1] as string);
    const value = (m[2] as string).trim();
    if (!KNOWN_KEYS.has(key)) {
      warnings.add('unknown_header', () => `key ${excerpt((m[1] as string).trim())} ignored`, { line });
    } else if (fields.has(key as HeaderKey)) {
      const first = fields.get(key as HeaderKey) as HeaderValue;
      warnings.add('duplicate_header', `${key} again, ${excerpt(value)} ignored; line ${first.line} kept`, {
        line,
      });
    } else {
      fields.set(key as HeaderKey, { value, line });
    }
  }
  const separated = csvStart > 0 && (lines[csvStart - 1] as string).trim() === '';
  if (headerLines > 0 && csvStart < lines.length && !separated) {
    warnings.add('missing_blank_line', 'the CSV part starts right after a header line', {
      line: csvStart + 1,
    });
  }
  return { fields, csvStart, columnRow };
}
