/**
 * The parser against what real senders send (issue 11's list): each variant with its full expected
 * result, every warning included, in order. Hostile input is in parse-hostile.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTicket } from './parse.js';
import { SEED_LINES, SEED_TICKET, type Summary, summarize } from './testing/summary.js';

const SEED = { ok: true, order: '123456', vat: 310, total: 1690, lines: SEED_LINES } as const;

/** The seed ticket with `lines` (the CSV rows after the column row) instead of its own. */
function withRows(rows: string[], header = 'Order: 123456\nVAT: 3.10\nTotal: 16.90\n'): string {
  return `${header}\nproduct,product_id,price\n${rows.join('\n')}\n`;
}

const CASES: { name: string; body: string | Buffer; want: Summary }[] = [
  { name: "the seed's scripts/ticket.txt", body: SEED_TICKET, want: { ...SEED, warnings: [] } },
  {
    name: 'CRLF line endings',
    body: SEED_TICKET.replace(/\n/g, '\r\n'),
    want: { ...SEED, warnings: ['crlf'] },
  },
  {
    name: 'a UTF-8 BOM, and no final newline',
    body: `\ufeff${SEED_TICKET.trimEnd()}`,
    want: { ...SEED, warnings: ['bom'] },
  },
  {
    name: 'Windows-1252 bytes (an old till), with old-Mac CR line endings',
    body: Buffer.from(SEED_TICKET.replace(/\n/g, '\r'), 'latin1'),
    want: { ...SEED, warnings: ['not_utf8', 'crlf'] },
  },
  {
    name: 'UTF-16LE with its BOM',
    body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SEED_TICKET, 'utf16le')]),
    want: { ...SEED, warnings: ['bom', 'not_utf8'] },
  },
  {
    name: 'quoted fields with commas and doubled quotes; a stray quote inside a field',
    body: withRows(['"Formule, midi",aZde,"14.90"', '"Café ""serré""",IZ8z,1', 'Pizza 12" large,PZ1,1.00']),
    want: {
      ...SEED,
      lines: [
        ['Formule, midi', 'aZde', 1490],
        ['Café "serré"', 'IZ8z', 100],
        ['Pizza 12" large', 'PZ1', 100],
      ],
      warnings: [],
    },
  },
  {
    name: 'a missing column drops the row; the ticket stands, and Total shows the gap',
    body: withRows(['Formule(s) midi,aZde,14.90', 'Café,IZ8z']),
    want: { ...SEED, lines: [SEED_LINES[0]!], warnings: ['missing_column@7#2', 'total_mismatch'] },
  },
  {
    name: 'an extra column is ignored, the row kept',
    body: withRows(['Formule(s) midi,aZde,14.90,promo', 'Café,IZ8z,2']),
    want: { ...SEED, warnings: ['extra_column@6#1'] },
  },
  {
    name: 'comma decimals: quoted, unquoted (split in two fields and joined back), in the header',
    body: withRows(
      ['Formule(s) midi,aZde,"14,90"', 'Café,IZ8z,2,00'],
      'Order: 123456\nVAT: 3,10\nTotal: 16,9\n',
    ),
    want: {
      ...SEED,
      warnings: ['comma_decimal@2', 'comma_decimal@3', 'comma_decimal@6#1', 'comma_decimal@7#2'],
    },
  },
  {
    name: 'empty and blank lines: before the header, inside it, around the separator, in the CSV, at the end',
    body: '\n\nOrder: 123456\n\nVAT: 3.10\nTotal: 16.90\n\n  \nproduct,product_id,price\n\nFormule(s) midi,aZde,14.90\n \t\nCafé,IZ8z,2\n\n\n',
    want: {
      ...SEED,
      warnings: [
        'empty_line@1',
        'empty_line@2',
        'empty_line@4',
        'empty_line@7',
        'empty_line@10',
        'empty_line@12',
        'empty_line@14',
        'empty_line@15',
      ],
    },
  },
  {
    name: 'unknown header keys, keys in any case, a repeated key (first kept), a line that is not Key: value',
    body: withRows(
      ['Formule(s) midi,aZde,14.90', 'Café,IZ8z,2'],
      'ORDER: 123456\nStore: 42\nvat: 3.10\nCashier: Ann: till 3\nTotal: 16.90\nOrder: 999\nthank you!\n',
    ),
    want: {
      ...SEED,
      warnings: ['unknown_header@2', 'unknown_header@4', 'duplicate_header@6', 'bad_header_line@7'],
    },
  },
  {
    name: 'no blank line between header and CSV',
    body: SEED_TICKET.replace('\n\n', '\n'),
    want: { ...SEED, warnings: ['missing_blank_line@4'] },
  },
  {
    name: 'truncated in the last row: the row is dropped and Total disagrees',
    body: SEED_TICKET.slice(0, SEED_TICKET.indexOf('IZ8z') + 2),
    want: { ...SEED, lines: [SEED_LINES[0]!], warnings: ['missing_column@7#2', 'total_mismatch'] },
  },
  {
    name: 'truncated inside a quoted field',
    body: withRows(['Café,IZ8z,2', '"Formule, mi']),
    want: { ...SEED, lines: [SEED_LINES[1]!], warnings: ['unclosed_quote@7#2', 'total_mismatch'] },
  },
  {
    name: 'a quote left open mid-ticket costs its line only',
    body: withRows(['"Formule, midi,aZde,14.90', 'Café,IZ8z,2', 'Thé,"T1,1', 'Eau,E1,3.00']),
    want: {
      ...SEED,
      lines: [SEED_LINES[1]!, ['Eau', 'E1', 300]],
      warnings: ['unclosed_quote@6#1', 'unclosed_quote@8#3', 'total_mismatch'],
    },
  },
  {
    name: 'truncated inside the header: an error, no lines',
    body: 'Order: 123456\nVAT: 3.1',
    want: { ok: false, error: 'no_lines', order: '123456', warnings: ['missing_header'] },
  },
  {
    name: 'truncated right after the column row',
    body: SEED_TICKET.slice(0, SEED_TICKET.indexOf('Formule')),
    want: { ok: false, error: 'no_lines', order: '123456', warnings: [] },
  },
  {
    name: 'VAT and Total missing: null, with warnings; Order alone is enough',
    body: withRows(['Café,IZ8z,2'], 'Order: A-77/3\n'),
    want: {
      ok: true,
      order: 'A-77/3',
      vat: null,
      total: null,
      lines: [SEED_LINES[1]!],
      warnings: ['missing_header', 'missing_header'],
    },
  },
  {
    name: 'no column row: product,product_id,price is assumed',
    body: 'Order: 123456\nVAT: 3.10\nTotal: 16.90\n\nFormule(s) midi,aZde,14.90\nCafé,IZ8z,2\n',
    want: { ...SEED, warnings: ['no_column_row@5'] },
  },
  {
    name: 'columns reordered, spelled differently, quoted, with an unknown one',
    body: withRows(['14.90,2,aZde,Formule(s) midi', '2,1,IZ8z,Café']).replace(
      'product,product_id,price',
      'Price,Qty,"Product ID",PRODUCT',
    ),
    want: { ...SEED, warnings: ['unknown_column@5'] },
  },
];

for (const c of CASES) {
  test(`parse: ${c.name}`, () => {
    assert.deepEqual(summarize(parseTicket(c.body)), c.want);
  });
}

test('parse: a string body is its UTF-8 bytes', () => {
  assert.deepEqual(parseTicket(SEED_TICKET), parseTicket(Buffer.from(SEED_TICKET, 'utf8')));
});

test('parse: details name the input, quoted and cut', () => {
  const r = parseTicket(withRows(['Formule(s) midi,aZde,14.90', 'Café,IZ8z,2 EUR']));
  assert.equal(r.ok, true);
  const bad = r.ok ? r.ticket.warnings.find((w) => w.kind === 'bad_price') : undefined;
  assert.match(bad?.detail ?? '', /^"2 EUR": not digits/);
  const mismatch = r.ok ? r.ticket.warnings.find((w) => w.kind === 'total_mismatch') : undefined;
  assert.equal(mismatch?.detail, 'Total 16.90, the 1 kept line(s) add up to 14.90 (1 of 2 rows dropped)');
});
