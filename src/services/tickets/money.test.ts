/** Amounts read as integer cents, exactly; and written back. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCents, parseAmount } from './money.js';

test('money: accepted forms, in cents', () => {
  const cases: [string, number, boolean][] = [
    ['2', 200, false],
    ['2.5', 250, false],
    ['14.90', 1490, false],
    ['3,10', 310, true],
    ['0,5', 50, true],
    ['2.000', 200, false],
    ['-0.50', -50, false],
    ['-0', 0, false],
    ['999999999.99', 99_999_999_999, false],
    ['0.1', 10, false],
  ];
  for (const [text, cents, comma] of cases) {
    assert.deepEqual(parseAmount(text), { ok: true, cents, commaDecimal: comma }, text);
  }
});

test('money: refused forms, with a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['abc', /not digits/],
    ['1,234.50', /not digits/],
    ['1 234', /not digits/],
    ['€2', /not digits/],
    ['2€', /not digits/],
    ['1e3', /not digits/],
    ['+2', /not digits/],
    ['.5', /not digits/],
    ['2.', /not digits/],
    ['2.005', /more than 2 non-zero decimals/],
    ['1234567890', /more than 9 integer digits/],
    ['0x10', /not digits/],
    ['١٢', /not digits/],
  ];
  for (const [text, reason] of cases) {
    const r = parseAmount(text);
    assert.equal(r.ok, false, text);
    assert.match(r.ok ? '' : r.reason, reason, text);
  }
});

test('money: cents never pass through a float (0.1 + 0.2 is 30 cents)', () => {
  const a = parseAmount('0.1');
  const b = parseAmount('0.2');
  assert.ok(a.ok && b.ok);
  assert.equal(a.cents + b.cents, 30);
  assert.equal(formatCents(a.cents + b.cents), '0.30');
});

test('money: formatCents', () => {
  assert.equal(formatCents(1490), '14.90');
  assert.equal(formatCents(5), '0.05');
  assert.equal(formatCents(-5), '-0.05');
  assert.equal(formatCents(-1490), '-14.90');
  assert.equal(formatCents(0), '0.00');
  assert.throws(() => formatCents(1.5), RangeError);
});
