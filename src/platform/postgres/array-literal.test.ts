import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withPg } from '../../testing/backends.js';
import { needService } from '../../testing/services.js';
import { columnLiterals, numberArrayLiteral, textArrayLiteral } from './array-literal.js';

const gate = await needService('postgres');

const HOSTILE = [
  '',
  'NULL',
  'null',
  'a,b',
  '{x}',
  ' pad ',
  'quo"te',
  'back\\slash',
  '\\"',
  'ünï 🦄',
  "it's",
  'x'.repeat(300),
];
// (-0 reads back as 0, as it does through the driver's own conversion.)
const NUMBERS = [0, -1, 100, 2 ** 31 - 1, 1764500000123.25, 0.1 + 0.2, 1e-7];

// The embedded database (PGlite) takes the same literals: src/services/orders/embedded.test.ts.
test('array literals: Postgres reads back exactly the values, hostile text included', {
  skip: gate.skip,
  timeout: 20_000,
}, async () => {
  await withPg(async (c) => {
    const r = await c.query<{ t: string[]; f: number[]; i: number[] }>(
      'SELECT $1::text[] AS t, $2::float8[] AS f, $3::int[] AS i',
      [textArrayLiteral(HOSTILE), numberArrayLiteral(NUMBERS), numberArrayLiteral([1, 2, 3])],
    );
    const row = r.rows[0];
    assert.deepEqual(row?.t, HOSTILE);
    assert.deepEqual(
      row?.f.map(Number),
      NUMBERS.map((n) => (Object.is(n, -0) ? -0 : n)),
    );
    assert.deepEqual(row?.i, [1, 2, 3]);
  });
});

test('array literals: null elements read back as NULL, the text "NULL" as text', {
  skip: gate.skip,
}, async () => {
  await withPg(async (c) => {
    const r = await c.query<{ t: Array<string | null>; i: Array<number | null>; b: Array<string | null> }>(
      'SELECT $1::text[] AS t, $2::int[] AS i, $3::bigint[]::text[] AS b',
      [
        textArrayLiteral([null, 'NULL', '', null]),
        numberArrayLiteral([null, 7, null]),
        textArrayLiteral(['9007199254740991', null]),
      ],
    );
    assert.deepEqual(r.rows[0], {
      t: [null, 'NULL', '', null],
      i: [null, 7, null],
      b: ['9007199254740991', null],
    });
  });
  assert.equal(textArrayLiteral([]), '{}');
  assert.equal(numberArrayLiteral([null]), '{NULL}');
});

test('array literals: NaN and Infinity are refused, not stored', () => {
  assert.throws(() => numberArrayLiteral([1, Number.NaN]), RangeError);
  assert.throws(() => numberArrayLiteral([Number.POSITIVE_INFINITY]), RangeError);
  assert.equal(textArrayLiteral(['a']), '{"a"}');
});

test('columnLiterals: one literal per column, rows in order, nulls as NULL', () => {
  const rows = [
    { id: 'a"1', n: 1, note: null },
    { id: 'b', n: 2.5, note: 'x' },
  ];
  const literals = columnLiterals(rows, [
    { text: (r) => r.id },
    { number: (r) => r.n },
    { text: (r) => r.note },
  ]);
  assert.deepEqual(literals, ['{"a\\"1","b"}', '{1,2.5}', '{NULL,"x"}']);
  assert.deepEqual(columnLiterals([], [{ text: () => 'x' }]), ['{}']);
  assert.throws(() => columnLiterals([{ n: Number.NaN }], [{ number: (r) => r.n }]), RangeError);
});
