/**
 * From CSV records to product lines: the column row, then one check per row. A bad row is dropped
 * with a warning that names its row and line; it never sinks the ticket.
 */
import type { CsvRead, CsvRecord } from './csv-records.js';
import { nameKey } from './header.js';
import { parseAmount } from './money.js';
import { hasControl } from './text.js';
import { excerpt, LIMITS, type TicketLine, type TicketParseError, type WarningList } from './ticket.js';

/** Where each needed field is, and how many fields the column row has. */
interface Columns {
  readonly product: number;
  readonly productId: number;
  readonly price: number;
  readonly count: number;
}

type Needed = 'product' | 'productId' | 'price';

const DEFAULT_COLUMNS: Columns = { product: 0, productId: 1, price: 2, count: 3 };
const COLUMN_OF: Readonly<Record<string, Needed>> = {
  product: 'product',
  productid: 'productId',
  price: 'price',
};
// Text a spreadsheet would run as a formula if this data were exported to CSV and opened.
const FORMULA_PREFIX = /^[=+\-@]/;

export type LinesResult =
  | { readonly ok: true; readonly lines: readonly TicketLine[]; readonly rows: number }
  | { readonly ok: false; readonly error: Omit<TicketParseError, 'warnings' | 'order'> };

/**
 * Reads the product lines from the CSV part: the column row (or the default columns when there is
 * none), then each readable row. Errors: `bad_columns` when the column row lacks a needed column.
 * Zero lines is not an error here: the caller decides between `no_lines` and `no_valid_lines` from
 * `rows` (every data row, read or not).
 */
export function readLines(csv: Extract<CsvRead, { ok: true }>, warnings: WarningList): LinesResult {
  let columns = DEFAULT_COLUMNS;
  if (csv.columns !== null) {
    const mapped = mapColumns(csv.columns, warnings);
    if (!mapped.ok) return mapped;
    columns = mapped.columns;
  } else if (csv.records[0] !== undefined) {
    warnings.add('no_column_row', 'no product,product_id,price row; that order was assumed', {
      line: csv.records[0].line,
    });
  }
  const lines: TicketLine[] = [];
  const seen = new Map<string, TicketLine>();
  for (const record of csv.records) {
    const line = readLine(record, columns, warnings);
    if (line === null) continue;
    const before = seen.get(line.productId);
    if (before !== undefined && (before.priceCents !== line.priceCents || before.product !== line.product)) {
      const detail = `product_id ${excerpt(line.productId)} is also on row ${before.row} with another name or price; this row sets the product`;
      warnings.add('duplicate_product', detail, { line: record.line, row: line.row });
    }
    seen.set(line.productId, line);
    lines.push(line);
  }
  return { ok: true, lines, rows: csv.rows };
}

type MappedColumns =
  | { ok: true; columns: Columns }
  | { ok: false; error: { kind: 'bad_columns'; detail: string; line: number } };

function mapColumns(row: CsvRecord, warnings: WarningList): MappedColumns {
  const found: Partial<Record<Needed, number>> = {};
  row.fields.forEach((cell, i) => {
    const needed = COLUMN_OF[nameKey(cell)];
    if (needed !== undefined && found[needed] === undefined) found[needed] = i;
    else
      warnings.add('unknown_column', `column ${i + 1} ${excerpt(cell.trim())} ignored`, { line: row.line });
  });
  const { product, productId, price } = found;
  if (product === undefined || productId === undefined || price === undefined) {
    const missing = (['product', 'product_id', 'price'] as const).filter(
      (_, i) => [product, productId, price][i] === undefined,
    );
    const detail = `the column row lacks ${missing.join(', ')}: ${excerpt(row.fields.join(','))}`;
    return { ok: false, error: { kind: 'bad_columns', detail, line: row.line } };
  }
  return { ok: true, columns: { product, productId, price, count: row.fields.length } };
}

/** One data row as a line, or null (with the warning saying why) when it must be dropped. */
function readLine(record: CsvRecord, columns: Columns, warnings: WarningList): TicketLine | null {
  const { row } = record;
  const at = { line: record.line, row };
  let fields = record.fields;
  const split = commaSplitPrice(fields, columns);
  if (split !== null) fields = split;
  const width = Math.max(columns.product, columns.productId, columns.price) + 1;
  if (fields.length < width) {
    warnings.add(
      'missing_column',
      `${fields.length} field(s), ${width} needed: ${excerpt(fields.join(','))}`,
      at,
    );
    return null;
  }
  if (fields.length > columns.count) {
    warnings.add('extra_column', `${fields.length} fields, the column row has ${columns.count}`, at);
  }
  // Trimmed and NFC-normalised, so "Café" typed two ways is one product. A line is at most
  // LIMITS.maxLineChars long, so normalising costs little even for a field about to be refused.
  const product = (fields[columns.product] as string).trim().normalize('NFC');
  const productId = (fields[columns.productId] as string).trim().normalize('NFC');
  const priceText = (fields[columns.price] as string).trim();
  const empty = [
    ['product', product],
    ['product_id', productId],
    ['price', priceText],
  ].filter(([, v]) => v === '');
  if (empty.length > 0) {
    warnings.add('missing_field', `empty ${empty.map(([name]) => name).join(', ')}`, at);
    return null;
  }
  for (const [name, value, max] of [
    ['product', product, LIMITS.maxProductChars],
    ['product_id', productId, LIMITS.maxProductIdChars],
  ] as const) {
    const chars = [...value].length;
    if (chars > max) {
      warnings.add('field_too_long', `${name} is ${chars} characters long, at most ${max}`, at);
      return null;
    }
    if (hasControl(value)) {
      warnings.add('control_char', `${name} holds a control character: ${excerpt(value)}`, at);
      return null;
    }
  }
  const price = parseAmount(priceText);
  if (!price.ok) {
    warnings.add('bad_price', `${excerpt(priceText)}: ${price.reason}`, at);
    return null;
  }
  if (price.commaDecimal || split !== null) {
    const how = split !== null ? 'unquoted, so it was split into two fields and joined back' : 'quoted';
    warnings.add('comma_decimal', `price ${excerpt(priceText)} read as ${price.cents} cents (${how})`, at);
  }
  if (price.cents < 0) warnings.add('negative_price', `price ${excerpt(priceText)} kept`, at);
  if (FORMULA_PREFIX.test(product) || FORMULA_PREFIX.test(productId)) {
    const which = FORMULA_PREFIX.test(product) ? product : productId;
    warnings.add('formula_prefix', `${excerpt(which)} is stored as text, never evaluated`, at);
  }
  return { row, product, productId, priceCents: price.cents };
}

/**
 * An unquoted comma-decimal price ("14,90") reaches us as two fields, "14" and "90". When the row has
 * exactly one field more than the column row and those two fields look like that, they are joined
 * back; anything else is left for the ordinary checks.
 */
function commaSplitPrice(fields: readonly string[], columns: Columns): string[] | null {
  if (fields.length !== columns.count + 1) return null;
  const whole = (fields[columns.price] as string).trim();
  const cents = (fields[columns.price + 1] as string).trim();
  if (!/^-?\d{1,9}$/.test(whole) || !/^\d{1,2}$/.test(cents)) return null;
  const joined = [...fields];
  joined.splice(columns.price, 2, `${whole},${cents}`);
  return joined;
}
