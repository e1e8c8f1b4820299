/**
 * parseTicket: one ticket body in, a ParsedTicket (with warnings) or a TicketParseError out.
 *
 * The format (the seed's scripts/ticket.txt):
 *
 *     Order: 123456
 *     VAT: 3.10
 *     Total: 16.90
 *
 *     product,product_id,price
 *     Formule(s) midi,aZde,14.90
 *     Café,IZ8z,2
 *
 * Decisions (README.md in this folder lists them all):
 * - Order is required: 1-64 letters, digits or `. _ - / #`, else the ticket is an `error`. It is data,
 *   not identity: two tickets with one Order are two tickets (retries are matched by Idempotency-Key).
 * - VAT and Total are optional; missing or invalid ones are null with a warning. Prices include VAT,
 *   so Total is checked against the sum of the kept lines (`total_mismatch`), and VAT against Total.
 * - A ticket needs at least one kept line; all of its rows dropped is `no_valid_lines`.
 */
import { readCsvRecords } from './csv-records.js';
import { type HeaderValue, readHeader } from './header.js';
import { type LinesResult, readLines } from './lines.js';
import { formatCents, parseAmount } from './money.js';
import { decodeBody } from './text.js';
import {
  excerpt,
  LIMITS,
  type ParseResult,
  type TicketLine,
  type TicketParseError,
  WarningList,
} from './ticket.js';

// Letters or digits first, then letters, digits and the punctuation tills put in receipt numbers.
const ORDER = /^[\p{L}\p{N}][\p{L}\p{N}._\-/#]*$/u;

/**
 * Parses one ticket body: bytes as received (a string is taken as its UTF-8 encoding). Never throws
 * for any input; the work is linear in the body, which is refused above LIMITS.maxBodyBytes.
 */
export function parseTicket(body: Uint8Array | string): ParseResult {
  const warnings = new WarningList();
  const fail = (error: Omit<TicketParseError, 'warnings'>): ParseResult => ({
    ok: false,
    error: { ...error, warnings: warnings.list() },
  });
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const decoded = decodeBody(bytes, warnings);
  if (!decoded.ok) return fail(decoded.error);

  const count = lineCount(decoded.text);
  if (count > LIMITS.maxBodyLines) {
    return fail({
      kind: 'too_many_lines',
      detail: `${count} lines in the body, at most ${LIMITS.maxBodyLines}`,
    });
  }
  const lines = decoded.text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  const header = readHeader(lines, warnings);
  const order = readOrder(header.fields.get('order'));
  const vatCents = readAmount('VAT', header.fields.get('vat'), warnings);
  const totalCents = readAmount('Total', header.fields.get('total'), warnings);

  // Read whatever the order holds, so an error ticket's warnings explain all of it.
  const csv = readCsvRecords(lines, header.csvStart, header.columnRow, warnings);
  const read: LinesResult = csv.ok ? readLines(csv, warnings) : csv;

  if (!order.ok) return fail(order.error);
  const known = { order: order.value };
  if (!read.ok) return fail({ ...read.error, ...known });
  const { rows } = read;
  if (rows === 0) {
    const detail =
      header.csvStart >= lines.length ? 'no CSV part after the header' : 'the CSV part has no product rows';
    return fail({ kind: 'no_lines', detail, ...known });
  }
  if (read.lines.length === 0) {
    return fail({ kind: 'no_valid_lines', detail: `all ${rows} row(s) were dropped`, ...known });
  }
  checkTotals(read.lines, rows, vatCents, totalCents, warnings);
  return {
    ok: true,
    ticket: { order: order.value, vatCents, totalCents, lines: read.lines, warnings: warnings.list() },
  };
}

/** Lines in `text` as an editor counts them (a final LF ends the last line), without splitting it. */
function lineCount(text: string): number {
  let count = 0;
  // A plain loop: indexOf per line costs ten times more on a body of a million empty lines.
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) count++;
  return text.endsWith('\n') ? count : count + 1;
}

type OrderRead = { ok: true; value: string } | { ok: false; error: Omit<TicketParseError, 'warnings'> };

function readOrder(field: HeaderValue | undefined): OrderRead {
  if (field === undefined || field.value === '') {
    const detail = field === undefined ? 'no "Order: <number>" header line' : 'the Order value is empty';
    return { ok: false, error: { kind: 'missing_order', detail, ...(field && { line: field.line }) } };
  }
  const value = field.value.normalize('NFC');
  const chars = [...value.slice(0, LIMITS.maxOrderChars * 2)].length;
  if (chars > LIMITS.maxOrderChars || !ORDER.test(value)) {
    const why =
      chars > LIMITS.maxOrderChars ? `longer than ${LIMITS.maxOrderChars} characters` : 'not allowed';
    const detail = `Order ${excerpt(value)} is ${why} (letters, digits and . _ - / #)`;
    return { ok: false, error: { kind: 'bad_order', detail, line: field.line } };
  }
  return { ok: true, value };
}

/** A header amount in cents, or null with a warning; negative amounts are refused (VAT or Total < 0). */
function readAmount(name: string, field: HeaderValue | undefined, warnings: WarningList): number | null {
  if (field === undefined) {
    warnings.add('missing_header', `no ${name} header; stored as null`);
    return null;
  }
  const at = { line: field.line };
  const amount = parseAmount(field.value);
  if (!amount.ok || amount.cents < 0) {
    const why = amount.ok ? 'negative' : amount.reason;
    warnings.add('bad_amount', `${name} ${excerpt(field.value)}: ${why}; stored as null`, at);
    return null;
  }
  if (amount.commaDecimal)
    warnings.add('comma_decimal', `${name} ${excerpt(field.value)} read as ${amount.cents} cents`, at);
  return amount.cents;
}

function checkTotals(
  lines: readonly TicketLine[],
  rows: number,
  vatCents: number | null,
  totalCents: number | null,
  warnings: WarningList,
): void {
  if (totalCents !== null) {
    const sum = lines.reduce((acc, l) => acc + l.priceCents, 0);
    if (sum !== totalCents) {
      const dropped = rows - lines.length;
      const note = dropped > 0 ? ` (${dropped} of ${rows} rows dropped)` : '';
      const detail = `Total ${formatCents(totalCents)}, the ${lines.length} kept line(s) add up to ${formatCents(sum)}${note}`;
      warnings.add('total_mismatch', detail);
    }
  }
  if (vatCents !== null && totalCents !== null && vatCents > totalCents) {
    warnings.add('vat_exceeds_total', `VAT ${formatCents(vatCents)} > Total ${formatCents(totalCents)}`);
  }
}
