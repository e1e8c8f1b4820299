/**
 * A sample corpus of tickets for load runs and the lab: a realistic mix of well-formed, messy and
 * broken tickets, each a pure function of (seed, index), so any worker thread can build ticket i on
 * its own and two runs with one seed send the same bytes.
 *
 * Each ticket says what the parser must make of it: `treated` with at least the listed warning kinds
 * (none at all for well-formed ones), or `error` with the listed error kind. corpus.test.ts holds the
 * parser to that for thousands of tickets.
 */

import { seededRandom } from '../../shared/seeded-random.js';
import { formatCents } from './money.js';
import type { ParseErrorKind, WarningKind } from './ticket.js';

export type CorpusKind = 'well_formed' | 'messy' | 'broken';

export interface CorpusTicket {
  readonly index: number;
  readonly kind: CorpusKind;
  /** Which variant of its kind, e.g. `crlf`, `missing_order`. */
  readonly variant: string;
  readonly body: Buffer;
  /** The Order value written in it (broken ones may lack it or mangle it). */
  readonly order: string;
  readonly expect:
    | { readonly status: 'treated'; readonly warnings: readonly WarningKind[] }
    | { readonly status: 'error'; readonly error: ParseErrorKind };
}

/** Shares of each kind; they need not add up to 1 (they are weights). */
export interface CorpusMix {
  readonly wellFormed: number;
  readonly messy: number;
  readonly broken: number;
}

export const DEFAULT_MIX: CorpusMix = Object.freeze({ wellFormed: 0.7, messy: 0.25, broken: 0.05 });

// A café's menu: the seed's two products first. Prices in cents, VAT included.
const CATALOG: readonly (readonly [name: string, id: string, cents: number])[] = [
  ['Formule(s) midi', 'aZde', 1490],
  ['Café', 'IZ8z', 200],
  ['Café crème', 'Cr3m', 350],
  ['Thé vert', 'Th4v', 300],
  ['Chocolat chaud', 'Ch0c', 380],
  ['Croissant', 'Cr01', 120],
  ['Pain au chocolat', 'PaC1', 130],
  ['Salade niçoise', 'SaN1', 1150],
  ['Croque-monsieur', 'CrM1', 890],
  ['Quiche lorraine', 'QuL1', 950],
  ['Tarte aux pommes', 'TaP1', 450],
  ['Crème brûlée', 'CrB1', 550],
  ['Eau minérale 50cl', 'Eau5', 250],
  ['Jus d’orange pressé', 'JuO1', 420],
  ['Limonade', 'Lim1', 380],
  ['Bière pression 25cl', 'BiP1', 450],
  ['Verre de vin rouge', 'ViR1', 550],
  ['Sandwich jambon-beurre', 'SaJ1', 590],
  ['Panini 3 fromages', 'Pa3F', 690],
  ['Soupe du jour', 'SoJ1', 650],
  ['Plat du jour', 'PlJ1', 1390],
  ['Dessert du jour', 'DeJ1', 590],
  ['Macaron framboise', 'MaF1', 220],
  ['Éclair au café', 'EcC1', 380],
  ['Menu enfant', 'MeE1', 890],
  ['Cookie', 'Coo1', 250],
  ['Muffin myrtille', 'MuM1', 320],
  ['Smoothie mangue', 'SmM1', 520],
  ['Thé glacé maison', 'ThG1', 400],
  ['Supplément fromage', 'SuF1', 100],
];

// Names with commas, for the quoted-fields variant.
const COMMA_NAMES = ['Salade, tomates, oignons', 'Formule (plat, dessert)', 'Café, grand'];

const MESSY = [
  'crlf',
  'bom',
  'quoted_commas',
  'comma_decimal',
  'extra_column',
  'missing_column',
  'empty_lines',
  'unknown_header',
  'lowercase_keys',
  'windows_1252',
  'truncated_row',
  'discount_line',
] as const;
const BROKEN = ['empty', 'missing_order', 'bad_order', 'truncated_header', 'binary', 'all_rows_bad'] as const;

/** Ticket `index` of the corpus for `seed`: the same arguments always give the same ticket. */
export function corpusTicket(seed: number, index: number, mix: CorpusMix = DEFAULT_MIX): CorpusTicket {
  const rnd = random(seed, index);
  const total = mix.wellFormed + mix.messy + mix.broken;
  if (!(total > 0)) throw new RangeError('the corpus mix has no positive weight');
  const pick = rnd() * total;
  const order = String(100_000 + (index % 900_000));
  const lines = ticketLines(rnd, index);
  if (pick < mix.wellFormed) {
    return {
      index,
      kind: 'well_formed',
      variant: 'canonical',
      order,
      body: render(order, lines),
      expect: treated([]),
    };
  }
  if (pick < mix.wellFormed + mix.messy) {
    const variant = MESSY[Math.floor(rnd() * MESSY.length)] as (typeof MESSY)[number];
    return { index, kind: 'messy', variant, order, ...messy(variant, order, lines, rnd) };
  }
  const variant = BROKEN[Math.floor(rnd() * BROKEN.length)] as (typeof BROKEN)[number];
  return { index, kind: 'broken', variant, order, ...broken(variant, order, lines, rnd) };
}

/** The first `count` tickets of the corpus for `seed`. */
export function* corpus(seed: number, count: number, mix: CorpusMix = DEFAULT_MIX): Generator<CorpusTicket> {
  for (let i = 0; i < count; i++) yield corpusTicket(seed, i, mix);
}

type Line = readonly [name: string, id: string, cents: number];

/** 1-8 lines from the catalog; every 2000 tickets prices move, so "the latest price wins" shows. */
function ticketLines(rnd: () => number, index: number): Line[] {
  const count = 1 + Math.floor(rnd() * rnd() * 8);
  const drift = (Math.floor(index / 2000) % 4) * 10;
  return Array.from({ length: count }, () => {
    const [name, id, cents] = CATALOG[Math.floor(rnd() * CATALOG.length)] as Line;
    return [name, id, cents + drift] as const;
  });
}

function cents(c: number, comma = false): string {
  const text = formatCents(c);
  return comma ? text.replace('.', ',') : text;
}

/** The canonical form: the seed's layout, LF endings, a final newline. */
function render(
  order: string,
  lines: readonly Line[],
  opts: { keys?: [string, string, string] } = {},
): Buffer {
  return Buffer.from(renderText(order, lines, opts), 'utf8');
}

function renderText(
  order: string,
  lines: readonly Line[],
  opts: { keys?: [string, string, string] } = {},
): string {
  const [o, v, t] = opts.keys ?? ['Order', 'VAT', 'Total'];
  const total = lines.reduce((acc, l) => acc + l[2], 0);
  // French café VAT, 10% included in the price.
  const vat = Math.round((total * 10) / 110);
  const rows = lines.map(([name, id, c]) => `${name},${id},${cents(c)}`);
  return `${o}: ${order}\n${v}: ${cents(vat)}\n${t}: ${cents(total)}\n\nproduct,product_id,price\n${rows.join('\n')}\n`;
}

function treated(warnings: WarningKind[]): CorpusTicket['expect'] {
  return { status: 'treated', warnings };
}

function messy(
  variant: (typeof MESSY)[number],
  order: string,
  lines: Line[],
  rnd: () => number,
): Pick<CorpusTicket, 'body' | 'expect'> {
  const text = renderText(order, lines);
  const at = Math.floor(rnd() * lines.length);
  const [name, id, c] = lines[at] as Line;
  const row = `${name},${id},${cents(c)}`;
  // Variants that drop a row need a second one to keep the ticket treated.
  const two = lines.length >= 2 ? lines : [...lines, CATALOG[1] as Line];
  switch (variant) {
    case 'crlf':
      return { body: Buffer.from(text.replace(/\n/g, '\r\n')), expect: treated(['crlf']) };
    case 'bom':
      return { body: Buffer.from(`\ufeff${text}`), expect: treated(['bom']) };
    case 'quoted_commas': {
      const quoted = COMMA_NAMES[Math.floor(rnd() * COMMA_NAMES.length)] as string;
      return { body: Buffer.from(text.replace(row, `"${quoted}",${id},${cents(c)}`)), expect: treated([]) };
    }
    case 'comma_decimal': {
      const price = rnd() < 0.5 ? `"${cents(c, true)}"` : cents(c, true);
      return {
        body: Buffer.from(text.replace(row, `${name},${id},${price}`)),
        expect: treated(['comma_decimal']),
      };
    }
    case 'extra_column':
      return { body: Buffer.from(text.replace(row, `${row},x${at}`)), expect: treated(['extra_column']) };
    case 'missing_column': {
      const t2 = renderText(order, two);
      const [n2, id2, c2] = two[0] as Line;
      const cut = t2.replace(`${n2},${id2},${cents(c2)}`, `${n2},${id2}`);
      return { body: Buffer.from(cut), expect: treated(['missing_column', 'total_mismatch']) };
    }
    case 'empty_lines':
      return {
        body: Buffer.from(`\n${text.replace('\n\n', '\n\n\n').replace(row, `${row}\n`)}\n`),
        expect: treated(['empty_line']),
      };
    case 'unknown_header':
      return { body: Buffer.from(`Store: 42\nCashier: Ann\n${text}`), expect: treated(['unknown_header']) };
    case 'lowercase_keys':
      return { body: render(order, lines, { keys: ['order', 'vat', 'TOTAL'] }), expect: treated([]) };
    case 'windows_1252': {
      // Every catalog name is Latin-1, and at least one row names an accented product.
      const body = Buffer.from(
        renderText(order, [...lines, CATALOG[1] as Line]).replace(/’/g, "'"),
        'latin1',
      );
      return { body, expect: treated(['not_utf8']) };
    }
    case 'truncated_row': {
      // Cut inside the last row, before its price: what a dropped connection leaves.
      const t2 = renderText(order, two);
      const last = t2.lastIndexOf('\n', t2.length - 2) + 1;
      const cutAt = last + 1 + Math.floor(rnd() * Math.max(1, t2.indexOf(',', last) - last));
      return { body: Buffer.from(t2.slice(0, cutAt)), expect: treated(['missing_column', 'total_mismatch']) };
    }
    case 'discount_line': {
      // A till that prints discounts as negative lines, and a Total that includes them.
      const discount: Line = ['Remise fidélité', 'DISC', -(50 + Math.floor(rnd() * 50))];
      return {
        body: render(order, [...lines, CATALOG[0] as Line, discount]),
        expect: treated(['negative_price']),
      };
    }
  }
}

function broken(
  variant: (typeof BROKEN)[number],
  order: string,
  lines: Line[],
  rnd: () => number,
): Pick<CorpusTicket, 'body' | 'expect'> {
  const text = renderText(order, lines);
  switch (variant) {
    case 'empty':
      return { body: Buffer.alloc(0), expect: { status: 'error', error: 'empty' } };
    case 'missing_order':
      return {
        body: Buffer.from(text.replace(/^Order: \d+\n/, '')),
        expect: { status: 'error', error: 'missing_order' },
      };
    case 'bad_order':
      return {
        body: Buffer.from(text.replace(`Order: ${order}`, `Order: ${order}' OR 1=1;--`)),
        expect: { status: 'error', error: 'bad_order' },
      };
    case 'truncated_header': {
      // Cut inside the VAT or Total line, after its colon: an Order, a partial header, no CSV.
      const [orderLine, ...rest] = text.slice(0, text.indexOf('\n\n')).split('\n');
      const keep = Math.floor(rnd() * rest.length);
      const partial = rest[keep] as string;
      const colon = partial.indexOf(':') + 1;
      const cut = partial.slice(0, colon + Math.floor(rnd() * (partial.length - colon + 1)));
      const body = [orderLine, ...rest.slice(0, keep), cut].join('\n');
      return { body: Buffer.from(body), expect: { status: 'error', error: 'no_lines' } };
    }
    case 'binary': {
      const bytes = Buffer.alloc(64 + Math.floor(rnd() * 512));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
      // A NUL first: no byte order mark can start it, so it is never read as UTF-16 text.
      bytes[0] = 0;
      return { body: bytes, expect: { status: 'error', error: 'binary' } };
    }
    case 'all_rows_bad': {
      const rows = lines.map(([name, id]) => `${name},${id},gratuit`);
      const head = text.slice(0, text.indexOf('product,product_id,price'));
      return {
        body: Buffer.from(`${head}product,product_id,price\n${rows.join('\n')}\n`),
        expect: { status: 'error', error: 'no_valid_lines' },
      };
    }
  }
}

/** A small fast PRNG (mulberry32) seeded from (seed, index) through a splitmix-style mix. */
function random(seed: number, index: number): () => number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return seededRandom(h ^ (h >>> 15));
}
