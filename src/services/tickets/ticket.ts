/**
 * The ticket (a till receipt) as the domain sees it: the parser's result, its warning and error
 * kinds, and the limits that bound its work. No driver, no HTTP: the service maps these to rows and
 * status codes. README.md in this folder is the readable form of the contract below.
 *
 * Money is integer cents (a `number`): every amount is at most 9 integer digits, so a ticket's sum of
 * at most MAX_LINES prices stays far below Number.MAX_SAFE_INTEGER; never a float.
 */

/** The bounds that keep hostile input from costing unbounded memory or time. */
export const LIMITS = Object.freeze({
  /** Bytes of a body; the HTTP layer answers 413 above this, the parser refuses it too. */
  maxBodyBytes: 1024 * 1024,
  /** Product rows (non-blank lines after the column row). */
  maxLines: 1000,
  /** Lines of the whole body, blank ones included: checked first, before any line is read. */
  maxBodyLines: 5000,
  /** Characters of one line of the body: a longer line is skipped unread (`line_too_long`). */
  maxLineChars: 4096,
  /** Fields of one CSV line (commas + 1, quoted or not): a line with more is skipped unread. */
  maxFields: 32,
  /** Characters of a product name, after trimming. */
  maxProductChars: 200,
  /** Characters of a product id, after trimming. */
  maxProductIdChars: 64,
  /** Characters of an Order value. */
  maxOrderChars: 64,
  /** Warnings kept per ticket; beyond it one `warnings_truncated` says how many were dropped. */
  maxWarnings: 100,
  /** Characters of input quoted in a warning's or error's detail. */
  maxExcerptChars: 60,
});

/**
 * Every warning kind, with whether the row it is about was dropped. Names are stable: they are
 * metric labels (`ticket_parse_warnings_total{kind}`) and stored in the tickets table.
 */
export const WARNING_KINDS = {
  // The body as a whole.
  bom: { drops: false, summary: 'a byte order mark was removed' },
  crlf: { drops: false, summary: 'CR or CRLF line endings were read as LF' },
  not_utf8: { drops: false, summary: 'the body is not UTF-8; it was read as UTF-16 (BOM) or Windows-1252' },
  empty_line: { drops: false, summary: 'an empty or blank line was skipped' },
  // The header (`Key: value` lines).
  unknown_header: { drops: false, summary: 'a header key other than Order, VAT, Total was ignored' },
  duplicate_header: { drops: false, summary: 'a header key appeared again; the first value was kept' },
  bad_header_line: { drops: false, summary: 'a line before the CSV is not `Key: value`; it was ignored' },
  missing_blank_line: { drops: false, summary: 'no blank line between the header and the CSV' },
  missing_header: { drops: false, summary: 'VAT or Total is missing; it is stored as null' },
  bad_amount: { drops: false, summary: 'VAT or Total is not a valid amount; it is stored as null' },
  vat_exceeds_total: { drops: false, summary: 'VAT is greater than Total' },
  total_mismatch: { drops: false, summary: "Total differs from the sum of the kept lines' prices" },
  // The CSV column row.
  no_column_row: { drops: false, summary: 'no column row; product,product_id,price was assumed' },
  unknown_column: { drops: false, summary: 'a column other than product, product_id, price was ignored' },
  // A CSV row that was dropped.
  missing_column: { drops: true, summary: 'the row lacks a field it needs (product, product_id or price)' },
  missing_field: { drops: true, summary: 'product, product_id or price is empty' },
  bad_price: {
    drops: true,
    summary: 'the price is not an amount (digits, one . or , and at most 2 decimals)',
  },
  field_too_long: { drops: true, summary: 'a field is longer than its limit' },
  control_char: { drops: true, summary: 'a field holds a control character' },
  unclosed_quote: {
    drops: true,
    summary: 'a quote opened on a line is not closed on it; the line was skipped',
  },
  line_too_long: { drops: true, summary: 'a line longer than LIMITS.maxLineChars was skipped unread' },
  too_many_fields: {
    drops: true,
    summary: 'a CSV line with more than LIMITS.maxFields fields was skipped unread',
  },
  // A CSV row that was kept, with a remark.
  extra_column: { drops: false, summary: 'the row has more fields than the column row; extras ignored' },
  comma_decimal: { drops: false, summary: 'an amount used a comma as decimal separator' },
  negative_price: { drops: false, summary: 'a negative price (a discount or refund line) was kept' },
  formula_prefix: {
    drops: false,
    summary: 'a text field starts with = + - or @ (CSV injection); kept as is',
  },
  duplicate_product: {
    drops: false,
    summary: 'a product_id repeats with another name or price; the last row sets the product',
  },
  // The list itself.
  warnings_truncated: {
    drops: false,
    summary: 'more warnings than LIMITS.maxWarnings; the rest were counted',
  },
} as const satisfies Record<string, { drops: boolean; summary: string }>;

export type WarningKind = keyof typeof WARNING_KINDS;

/**
 * Why a ticket cannot be parsed at all. A ticket with one of these is stored with status `error` and
 * this kind, its detail and the warnings gathered so far.
 */
export const ERROR_KINDS = {
  empty: 'the body is empty or only whitespace',
  too_large: 'the body is larger than LIMITS.maxBodyBytes',
  binary: 'the body is not text (a NUL byte, or over 5% control characters)',
  missing_order: 'no Order header, or an empty one',
  bad_order: 'the Order value is not 1-64 letters, digits or . _ - / #',
  no_lines: 'no CSV rows after the header (a truncated body, or no CSV part)',
  bad_columns: 'the column row lacks product, product_id or price',
  no_valid_lines: 'every CSV row was dropped; the warnings say why',
  too_many_lines: 'more product rows than LIMITS.maxLines, or more body lines than LIMITS.maxBodyLines',
  store_rejected: 'the database refused the parsed ticket (the detail says why); the raw body is kept',
} as const satisfies Record<string, string>;

export type ParseErrorKind = keyof typeof ERROR_KINDS;

/**
 * One remark about a ticket. `line` is the 1-based line of the body; `row` the 1-based CSV data row
 * (non-blank lines after the column row, counted whether kept or not).
 */
export interface TicketWarning {
  readonly kind: WarningKind;
  readonly line?: number;
  readonly row?: number;
  /** Human-readable; input is quoted at most LIMITS.maxExcerptChars characters long. */
  readonly detail: string;
}

/** One kept product row. Text is trimmed and NFC-normalised; the price is in cents (may be negative). */
export interface TicketLine {
  /** 1-based CSV data row: non-blank lines after the column row, counted whether kept or not. */
  readonly row: number;
  readonly product: string;
  readonly productId: string;
  readonly priceCents: number;
}

/** A ticket that could be read: stored as `treated`, with its warnings. */
export interface ParsedTicket {
  readonly order: string;
  /** VAT in cents, null when missing or invalid (see the warnings). */
  readonly vatCents: number | null;
  /** Total in cents, VAT included (the seed's ticket: 14.90 + 2 = 16.90), null when missing or invalid. */
  readonly totalCents: number | null;
  /** At least one. */
  readonly lines: readonly TicketLine[];
  readonly warnings: readonly TicketWarning[];
}

/** Why a ticket could not be read: stored as `error` with exactly this object as its details. */
export interface TicketParseError {
  readonly kind: ParseErrorKind;
  readonly detail: string;
  readonly line?: number;
  /** The Order value when one was read, to help find the receipt. */
  readonly order?: string;
  readonly warnings: readonly TicketWarning[];
}

export type ParseResult =
  | { readonly ok: true; readonly ticket: ParsedTicket }
  | { readonly ok: false; readonly error: TicketParseError };

/**
 * Collects warnings up to LIMITS.maxWarnings and counts the rest, so a hostile body with a million
 * bad lines costs a counter, not a million objects.
 */
export class WarningList {
  private readonly kept: TicketWarning[] = [];
  private dropped = 0;

  /** Adds a warning; `detail` may be a function, called only when the warning is kept. */
  add(kind: WarningKind, detail: string | (() => string), where?: { line?: number; row?: number }): void {
    if (this.kept.length >= LIMITS.maxWarnings) {
      this.dropped++;
      return;
    }
    const text = typeof detail === 'string' ? detail : detail();
    this.kept.push({
      kind,
      ...(where?.line !== undefined && { line: where.line }),
      ...rowOf(where),
      detail: text,
    });
  }

  /** The warnings in the order they were found, plus `warnings_truncated` if any were dropped. */
  list(): TicketWarning[] {
    if (this.dropped === 0) return [...this.kept];
    const more = `${this.dropped} more warning(s) were not kept`;
    return [...this.kept, { kind: 'warnings_truncated', detail: more }];
  }
}

function rowOf(where?: { row?: number }): { row?: number } {
  return where?.row !== undefined ? { row: where.row } : {};
}

/** Input quoted for a detail: at most LIMITS.maxExcerptChars, control characters made visible. */
export function excerpt(text: string): string {
  // Spread (code points, not UTF-16 units) only a bounded head: the text may be a 1 MiB line.
  const head = [...text.slice(0, LIMITS.maxExcerptChars * 2)].slice(0, LIMITS.maxExcerptChars).join('');
  const cut = head.length < text.length ? `... (${text.length} chars)` : '';
  // JSON.stringify escapes quotes and control characters, so a detail never carries raw control bytes.
  return JSON.stringify(head) + cut;
}
