/** The products rule as a pure function: latest ticket wins, last row within a ticket, lock order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { productUpserts, type TreatedTicket } from './products.js';

function ticket(seq: number, rows: [string, string, number][]): TreatedTicket {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    receivedAt: new Date(1_700_000_000_000 + seq * 1000),
    lines: rows.map(([product, productId, priceCents], i) => ({
      row: i + 1,
      product,
      productId,
      priceCents,
    })),
  };
}

const brief = (t: TreatedTicket[]) =>
  productUpserts(t).map((u) => [u.productId, u.name, u.priceCents, u.ticketSeq]);

test('products: one upsert per product_id, sorted by product_id', () => {
  const t = ticket(5, [
    ['Thé', 'T1', 300],
    ['Café', 'IZ8z', 200],
    ['Formule', 'aZde', 1490],
    ['Café', 'IZ8z', 200],
  ]);
  assert.deepEqual(brief([t]), [
    ['IZ8z', 'Café', 200, 5],
    ['T1', 'Thé', 300, 5],
    ['aZde', 'Formule', 1490, 5],
  ]);
  const u = productUpserts([t])[0];
  assert.equal(u?.ticketId, t.id);
  assert.deepEqual(u?.lastSeenAt, t.receivedAt);
});

test('products: within one ticket the last row of a product_id wins', () => {
  assert.deepEqual(
    brief([
      ticket(1, [
        ['Thé', 'T1', 300],
        ['Thé glacé', 'T1', 350],
      ]),
    ]),
    [['T1', 'Thé glacé', 350, 1]],
  );
});

test('products: across tickets the highest seq wins, in whatever order they come', () => {
  const older = ticket(10, [
    ['Café', 'IZ8z', 180],
    ['Thé', 'T1', 300],
  ]);
  const newer = ticket(11, [['Café', 'IZ8z', 200]]);
  const want = [
    ['IZ8z', 'Café', 200, 11],
    ['T1', 'Thé', 300, 10],
  ];
  assert.deepEqual(brief([older, newer]), want);
  assert.deepEqual(brief([newer, older]), want, 'out of order: the older ticket does not overwrite');
});

test('products: the order is the same for any input order (the no-deadlock property)', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `p${String(i).padStart(2, '0')}${i % 3 === 0 ? 'É' : ''}`);
  let seed = 99;
  const shuffled = () =>
    [...ids]
      .map((id) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return [seed, id] as const;
      })
      .sort((a, b) => a[0] - b[0])
      .map(([, id]) => id);
  const orders = Array.from({ length: 8 }, (_, i) =>
    productUpserts([
      ticket(
        i + 1,
        shuffled().map((id): [string, string, number] => [id, id, i]),
      ),
    ]).map((u) => u.productId),
  );
  for (const o of orders) assert.deepEqual(o, orders[0]);
  assert.deepEqual(orders[0], [...ids].sort());
});

test('products: no tickets, no upserts', () => {
  assert.deepEqual(productUpserts([]), []);
});
