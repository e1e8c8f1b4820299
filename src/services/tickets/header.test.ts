/** The tolerant header reader, table-tested: where the CSV starts, what is read, what is warned. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isColumnRow, nameKey, readHeader } from './header.js';
import { warningTag } from './testing/summary.js';
import { WarningList } from './ticket.js';

interface Want {
  fields: Record<string, string>;
  csvStart: number;
  columnRow: boolean;
  warnings: string[];
}

const CASES: { name: string; lines: string[]; want: Want }[] = [
  {
    name: 'the canonical header',
    lines: ['Order: 123456', 'VAT: 3.10', 'Total: 16.90', '', 'product,product_id,price', 'a,b,1'],
    want: {
      fields: { order: '123456', vat: '3.10', total: '16.90' },
      csvStart: 4,
      columnRow: true,
      warnings: [],
    },
  },
  {
    name: 'keys in any case, spaces around the colon, a value with a colon',
    lines: ['  order :  42 ', 'vAt:1', 'Total:2', 'Till: 12:30', '', 'Product,Product_ID,Price'],
    want: {
      fields: { order: '42', vat: '1', total: '2' },
      csvStart: 5,
      columnRow: true,
      warnings: ['unknown_header@4'],
    },
  },
  {
    name: 'a repeated key keeps the first value',
    lines: ['Order: 1', 'Order: 2', '', 'product,product_id,price'],
    want: { fields: { order: '1' }, csvStart: 3, columnRow: true, warnings: ['duplicate_header@2'] },
  },
  {
    name: 'no blank line before the column row',
    lines: ['Order: 1', 'product,product_id,price'],
    want: { fields: { order: '1' }, csvStart: 1, columnRow: true, warnings: ['missing_blank_line@2'] },
  },
  {
    name: 'blank lines: leading, inside, doubled separator',
    lines: ['', 'Order: 1', '', 'VAT: 2', '', ' ', 'product,product_id,price'],
    want: {
      fields: { order: '1', vat: '2' },
      csvStart: 6,
      columnRow: true,
      warnings: ['empty_line@1', 'empty_line@3', 'empty_line@5'],
    },
  },
  {
    name: 'lines that are not Key: value, before the column row',
    lines: ['Order: 1', 'Merci de votre visite', '=== TICKET ===', '', 'product,product_id,price'],
    want: {
      fields: { order: '1' },
      csvStart: 4,
      columnRow: true,
      warnings: ['bad_header_line@2', 'bad_header_line@3'],
    },
  },
  {
    name: 'no column row: the CSV starts at the first line that is not Key: value',
    lines: ['Order: 1', '', 'Café,IZ8z,2'],
    want: { fields: { order: '1' }, csvStart: 2, columnRow: false, warnings: [] },
  },
  {
    name: 'no CSV part at all: trailing blank lines are warned, not taken as the separator',
    lines: ['Order: 1', 'VAT: 2', ''],
    want: { fields: { order: '1', vat: '2' }, csvStart: 3, columnRow: false, warnings: ['empty_line@3'] },
  },
  {
    name: 'no header at all',
    lines: ['product,product_id,price', 'a,b,1'],
    want: { fields: {}, csvStart: 0, columnRow: true, warnings: [] },
  },
  {
    name: 'a key that is not a word is not a key',
    lines: ['Order: 1', '12: x', 'Total (TTC): 3', '', 'product,product_id,price'],
    want: {
      fields: { order: '1' },
      csvStart: 4,
      columnRow: true,
      warnings: ['bad_header_line@2', 'bad_header_line@3'],
    },
  },
];

for (const c of CASES) {
  test(`header: ${c.name}`, () => {
    const warnings = new WarningList();
    const read = readHeader(c.lines, warnings);
    const fields = Object.fromEntries([...read.fields].map(([k, v]) => [k, v.value]));
    assert.deepEqual(
      {
        fields,
        csvStart: read.csvStart,
        columnRow: read.columnRow,
        warnings: warnings.list().map(warningTag),
      },
      c.want,
    );
  });
}

test('header: the column row is recognised by at least two known names, in any spelling', () => {
  for (const yes of [
    'product,product_id,price',
    'PRODUCT;x,productId,"Price"',
    'price,qty,Product ID',
    'product,price',
  ]) {
    assert.equal(isColumnRow(yes), true, yes);
  }
  for (const no of [
    'product',
    'Formule(s) midi,aZde,14.90',
    'product,name,cost',
    `product,price,${'x'.repeat(5000)}`,
  ]) {
    assert.equal(isColumnRow(no), false, no.slice(0, 40));
  }
  assert.equal(nameKey(' Product_ID '), 'productid');
});
