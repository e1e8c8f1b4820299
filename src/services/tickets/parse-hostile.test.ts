/**
 * The parser against hostile and broken input, each case with its full expected result. The limits
 * at their edges, the cost bound and the fuzz are in parse-limits.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTicket } from './parse.js';
import { LONG_LINE, MIB, noise, ticket } from './testing/bodies.js';
import { type Summary, summarize } from './testing/summary.js';

const CASES: { name: string; body: string | Buffer; want: Summary }[] = [
  { name: 'an empty body', body: '', want: { ok: false, error: 'empty', warnings: [] } },
  { name: 'only whitespace', body: ' \r\n\t\n ', want: { ok: false, error: 'empty', warnings: [] } },
  {
    name: 'binary garbage',
    body: noise(7, 4096),
    want: { ok: false, error: 'binary', warnings: ['not_utf8'] },
  },
  {
    name: 'control characters without a NUL (over 5%)',
    body: `Order: 1\n\nproduct,product_id,price\n${'\u0001\u0002\u0003a,b,1\n'.repeat(20)}`,
    want: { ok: false, error: 'binary', warnings: [] },
  },
  {
    name: 'one byte over 1 MiB',
    body: Buffer.alloc(MIB + 1, 0x61),
    want: { ok: false, error: 'too_large', warnings: [] },
  },
  {
    name: 'a 1 MiB single line and nothing else',
    body: LONG_LINE,
    want: {
      ok: false,
      error: 'missing_order',
      warnings: ['line_too_long@1', 'missing_header', 'missing_header'],
    },
  },
  {
    name: 'a 1 MiB single line among good rows costs that line only',
    body: ticket(['a,A1,0.50', LONG_LINE, 'b,B1,0.50']),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['a', 'A1', 50],
        ['b', 'B1', 50],
      ],
      warnings: ['line_too_long@7#2'],
    },
  },
  {
    name: 'CSV injection strings are kept verbatim, flagged',
    body: ticket([
      '=HYPERLINK("http://x.example/?"&A1;"click"),EVIL1,0.25',
      '@SUM(A1:A9),EVIL2,0.25',
      "+cmd|' /C calc'!A0,EVIL3,0.25",
      'Tea,-2+3,0.25',
    ]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['=HYPERLINK("http://x.example/?"&A1;"click")', 'EVIL1', 25],
        ['@SUM(A1:A9)', 'EVIL2', 25],
        ["+cmd|' /C calc'!A0", 'EVIL3', 25],
        ['Tea', '-2+3', 25],
      ],
      warnings: ['formula_prefix@6#1', 'formula_prefix@7#2', 'formula_prefix@8#3', 'formula_prefix@9#4'],
    },
  },
  {
    name: 'SQL-looking text is data',
    body: ticket(["Robert'); DROP TABLE products;--,x' OR '1'='1,0.50", '"1; DELETE FROM tickets",a;b,0.50']),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ["Robert'); DROP TABLE products;--", "x' OR '1'='1", 50],
        ['1; DELETE FROM tickets', 'a;b', 50],
      ],
      warnings: [],
    },
  },
  {
    name: 'SQL in the Order is a bad Order',
    body: ticket(['a,A,1'], "Order: 1'; DROP TABLE tickets;--\n"),
    want: { ok: false, error: 'bad_order', line: 1, warnings: ['missing_header', 'missing_header'] },
  },
  {
    name: 'unicode: emoji, CJK, RTL, a decomposed accent (stored NFC); a 200-emoji name fits',
    body: ticket([
      '☕ Café crème,☕1,0.20',
      '拉面,ラ-1,0.20',
      'قهوة,ق1,0.20',
      'Cafe\u0301,IZ8z,0.20',
      `${'🍕'.repeat(200)},P1,0.20`,
    ]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['☕ Café crème', '☕1', 20],
        ['拉面', 'ラ-1', 20],
        ['قهوة', 'ق1', 20],
        ['Café', 'IZ8z', 20],
        ['🍕'.repeat(200), 'P1', 20],
      ],
      warnings: [],
    },
  },
  {
    name: 'a product_id twice: same name and price is two of it; another price is flagged, the last row wins',
    body: ticket(['Café,IZ8z,0.20', 'Café,IZ8z,0.20', 'Thé,T1,0.30', 'Thé,T1,0.30 ', 'Thé glacé,T1,0.00']),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['Café', 'IZ8z', 20],
        ['Café', 'IZ8z', 20],
        ['Thé', 'T1', 30],
        ['Thé', 'T1', 30],
        ['Thé glacé', 'T1', 0],
      ],
      warnings: ['duplicate_product@10#5'],
    },
  },
  {
    name: 'negative prices (a discount line) are kept and counted in the total',
    body: ticket(['Menu,M1,1.50', 'Remise fidélité,DISC,-0.50', 'Rien,Z,-0']),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['Menu', 'M1', 150],
        ['Remise fidélité', 'DISC', -50],
        ['Rien', 'Z', 0],
      ],
      warnings: ['negative_price@7#2'],
    },
  },
  {
    name: 'prices that are not amounts drop their rows; exact forms are kept',
    body: ticket([
      'a,A,abc',
      'b,B,1.234',
      'c,C,"1,234.50"',
      'd,D,€2',
      'e,E,1e3',
      'f,F,9999999999',
      'g,G,0.5',
      'h,H,0.500',
      'i,I,.5',
    ]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['g', 'G', 50],
        ['h', 'H', 50],
      ],
      warnings: [
        'bad_price@6#1',
        'bad_price@7#2',
        'bad_price@8#3',
        'bad_price@9#4',
        'bad_price@10#5',
        'bad_price@11#6',
        'bad_price@14#9',
      ],
    },
  },
  {
    name: 'field limits and control characters drop their rows',
    body: ticket([
      `${'n'.repeat(201)},A,0.10`,
      `a,${'i'.repeat(65)},0.10`,
      'tab\tin name,B,0.10',
      ',C,0.10',
      'd,,0.10',
      'e,E,',
      `${'n'.repeat(200)},OK,1.00`,
    ]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [['n'.repeat(200), 'OK', 100]],
      warnings: [
        'field_too_long@6#1',
        'field_too_long@7#2',
        'control_char@8#3',
        'missing_field@9#4',
        'missing_field@10#5',
        'missing_field@11#6',
      ],
    },
  },
  {
    name: 'a row of 40 fields is skipped unread; 32 fields is read (extras ignored)',
    body: ticket([`a,A,1.00${',x'.repeat(37)}`, `b,B,1.00${',x'.repeat(29)}`]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [['b', 'B', 100]],
      warnings: ['too_many_fields@6#1', 'extra_column@7#2'],
    },
  },
  {
    name: 'a column row with over 32 fields cannot be read',
    body: ticket(['a,A,1']).replace('product,product_id,price', `product,product_id,price${',x'.repeat(40)}`),
    want: { ok: false, error: 'bad_columns', order: '123456', line: 5, warnings: ['too_many_fields@5'] },
  },
  {
    name: 'rows set aside unread still count: one unreadable row is no_valid_lines, not no_lines',
    body: ticket([`"${'x'.repeat(10)}`]),
    want: { ok: false, error: 'no_valid_lines', order: '123456', warnings: ['unclosed_quote@6#1'] },
  },
  {
    name: 'every row bad: an error, with the reasons',
    body: ticket(['a,A', 'b,B,free']),
    want: {
      ok: false,
      error: 'no_valid_lines',
      order: '123456',
      warnings: ['missing_column@6#1', 'bad_price@7#2'],
    },
  },
  {
    name: 'a column row without price',
    body: ticket(['a,A,1']).replace('product,product_id,price', 'product,product_id,cost'),
    want: { ok: false, error: 'bad_columns', order: '123456', line: 5, warnings: ['unknown_column@5'] },
  },
  {
    name: 'no Order header',
    body: ticket(['a,A,1'], 'Till: 3\n'),
    want: {
      ok: false,
      error: 'missing_order',
      warnings: ['unknown_header@1', 'missing_header', 'missing_header'],
    },
  },
  {
    name: 'an empty Order',
    body: ticket(['a,A,1'], 'Order:\nVAT: 0\nTotal: 0.01\n'),
    want: { ok: false, error: 'missing_order', line: 1, warnings: [] },
  },
  {
    name: 'a 65-character Order',
    body: ticket(['a,A,1'], `Order: ${'9'.repeat(65)}\nVAT: 0\nTotal: 1\n`),
    want: { ok: false, error: 'bad_order', line: 1, warnings: [] },
  },
  {
    name: 'VAT above Total, a negative Total',
    body: ticket(['a,A,1'], 'Order: 1\nVAT: 2\nTotal: -1\n').replace('Total: -1', 'Total: 0.50'),
    want: {
      ok: true,
      order: '1',
      vat: 200,
      total: 50,
      lines: [['a', 'A', 100]],
      warnings: ['total_mismatch', 'vat_exceeds_total'],
    },
  },
  {
    name: 'a negative Total is not an amount',
    body: ticket(['a,A,1'], 'Order: 1\nVAT: 0\nTotal: -1\n'),
    want: { ok: true, order: '1', vat: 0, total: null, lines: [['a', 'A', 100]], warnings: ['bad_amount@3'] },
  },
];

for (const c of CASES) {
  test(`parse (hostile): ${c.name}`, () => {
    assert.deepEqual(summarize(parseTicket(c.body)), c.want);
  });
}
