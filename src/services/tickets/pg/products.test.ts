/**
 * The products rule on the real Postgres: the latest ticket's price wins whatever order tickets are
 * treated in, and concurrent transactions upserting the same products never deadlock, because
 * productUpserts gives every transaction the same lock order. A control run without that order
 * deadlocks on the same harness, which shows the harness can see a deadlock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type pg from 'pg';
import { needService } from '../../../testing/services.js';
import { bodyDigest } from '../idempotency.js';
import { type ProductUpsert, productUpserts, type TreatedTicket } from '../products.js';
import type { ParseResult, TicketLine } from '../ticket.js';
import { type TestSchema, testSchema } from './schema.testing.js';
import { readProduct, receiveTickets, recordTreatments, upsertProducts } from './store.js';

const gate = await needService('postgres');

const PRODUCTS = Array.from({ length: 50 }, (_, i) => `P${String(i).padStart(3, '0')}`);

/** Stores `count` tickets (bodies do not matter here) and returns their id, seq and received_at. */
async function storeTickets(db: TestSchema, count: number): Promise<Omit<TreatedTicket, 'lines'>[]> {
  const body = Buffer.from('placeholder');
  const out = await receiveTickets(
    db.pool,
    db.sql,
    Array.from({ length: count }, () => ({
      id: randomUUID(),
      idempotencyKey: null,
      body,
      digest: bodyDigest(body),
    })),
  );
  return out.map((o) => {
    assert.ok(o.kind === 'stored');
    return { id: o.id, seq: o.seq, receivedAt: o.receivedAt };
  });
}

/** A parse result listing `lines`, as the worker would record it. */
function parsed(lines: TicketLine[]): ParseResult {
  return { ok: true, ticket: { order: '1', vatCents: null, totalCents: null, lines, warnings: [] } };
}

function line(productId: string, priceCents: number, row = 1, product = `name of ${productId}`): TicketLine {
  return { row, product, productId, priceCents };
}

/** A seeded shuffle: every run tries the same orders. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let x = seed;
  return items
    .map((item) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return [x, item] as const;
    })
    .sort((a, b) => a[0] - b[0])
    .map(([, item]) => item);
}

test('products: an older ticket treated after a newer one leaves the newer price', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_products_order');
  try {
    const [older, newer] = await storeTickets(db, 2);
    assert.ok(older && newer && older.seq < newer.seq);
    // The newer ticket is treated first...
    await db.inTransaction((tx) =>
      recordTreatments(tx, db.sql, [{ ticket: newer, result: parsed([line('IZ8z', 200, 1, 'Café')]) }]),
    );
    // ...then the older one, with an older price and name, and a product the newer one lacks.
    await db.inTransaction((tx) =>
      recordTreatments(tx, db.sql, [
        { ticket: older, result: parsed([line('IZ8z', 180, 1, 'Cafe'), line('T1', 300, 2, 'Thé')]) },
      ]),
    );
    const cafe = await readProduct(db.pool, db.sql, 'IZ8z');
    assert.deepEqual(
      [cafe?.name, cafe?.priceCents, cafe?.lastTicketSeq, cafe?.lastTicketId],
      ['Café', 200, newer.seq, newer.id],
    );
    assert.deepEqual(cafe?.lastSeenAt, newer.receivedAt);
    const tea = await readProduct(db.pool, db.sql, 'T1');
    assert.deepEqual(
      [tea?.priceCents, tea?.lastTicketSeq],
      [300, older.seq],
      'a product only the older ticket lists',
    );

    // In order, the newer price replaces the older; the same ticket applied again changes nothing.
    const [third] = await storeTickets(db, 1);
    assert.ok(third);
    const apply = (t: Omit<TreatedTicket, 'lines'>, price: number) =>
      db.inTransaction((tx) =>
        upsertProducts(tx, db.sql, productUpserts([{ ...t, lines: [line('IZ8z', price)] }])),
      );
    await apply(third, 210);
    await apply(third, 999);
    await apply(older, 1);
    assert.equal((await readProduct(db.pool, db.sql, 'IZ8z'))?.priceCents, 210);
  } finally {
    await db.close();
  }
});

test('products: a batch of tickets in one statement takes the highest seq per product', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_products_batch');
  try {
    const tickets = await storeTickets(db, 5);
    // Treated in reverse seq order inside one batch.
    const treatments = [...tickets].reverse().map((t, i) => ({
      ticket: t,
      result: parsed(PRODUCTS.slice(0, 10).map((p, j) => line(p, t.seq * 100 + j, j + 1, `v${i}`))),
    }));
    await db.inTransaction((tx) => recordTreatments(tx, db.sql, treatments));
    const newest = tickets.at(-1);
    assert.ok(newest);
    for (const [j, p] of PRODUCTS.slice(0, 10).entries()) {
      const row = await readProduct(db.pool, db.sql, p);
      assert.deepEqual([row?.priceCents, row?.lastTicketId], [newest.seq * 100 + j, newest.id], p);
    }
  } finally {
    await db.close();
  }
});

/**
 * 8 transactions at once, each writing all 50 products from its own shuffled ticket, in two halves
 * with a pause between so each holds its first locks while it asks for more: the pattern that
 * deadlocks when two transactions disagree on order. Returns the deadlocks seen and other errors.
 */
async function contend(
  db: TestSchema,
  tickets: readonly Omit<TreatedTicket, 'lines'>[],
  order: (t: TreatedTicket) => ProductUpsert[],
): Promise<{ deadlocks: number; errors: string[] }> {
  let deadlocks = 0;
  const errors: string[] = [];
  await Promise.all(
    tickets.map(async (t, i) => {
      const lines = shuffle(PRODUCTS, i + 1).map((p, row) => line(p, t.seq * 1000 + row, row + 1));
      const upserts = order({ ...t, lines });
      try {
        await db.inTransaction(async (tx: pg.PoolClient) => {
          await upsertProducts(tx, db.sql, upserts.slice(0, 25));
          await tx.query('SELECT pg_sleep(0.05)');
          await upsertProducts(tx, db.sql, upserts.slice(25));
        });
      } catch (err) {
        if ((err as { code?: string }).code === '40P01') deadlocks++;
        else errors.push(String(err));
      }
    }),
  );
  return { deadlocks, errors };
}

test('products: 8 concurrent transactions on the same 50 products in random orders never deadlock', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_products_lock', 12);
  try {
    for (let round = 0; round < 5; round++) {
      const tickets = await storeTickets(db, 8);
      const { deadlocks, errors } = await contend(db, tickets, (t) => productUpserts([t]));
      assert.deepEqual(errors, []);
      assert.equal(deadlocks, 0, `round ${round}`);
      // Every product carries the price of the round's newest ticket, from that ticket's own row.
      const newest = tickets.reduce((a, b) => (a.seq > b.seq ? a : b));
      const rows = await db.pool.query(
        `SELECT product_id, price_cents, last_ticket_seq FROM "${db.schema}".products`,
      );
      assert.equal(rows.rows.length, 50);
      for (const r of rows.rows as { product_id: string; price_cents: string; last_ticket_seq: string }[]) {
        assert.equal(Number(r.last_ticket_seq), newest.seq);
        const row = shuffle(PRODUCTS, tickets.indexOf(newest) + 1).indexOf(r.product_id);
        assert.equal(Number(r.price_cents), newest.seq * 1000 + row);
      }
    }
  } finally {
    await db.close();
  }
});

test('products (control): the same contention without the sorted order does deadlock', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_products_control', 12);
  try {
    let deadlocks = 0;
    // Deadlock detection waits deadlock_timeout (1 s by default); a few rounds are plenty.
    for (let round = 0; round < 5 && deadlocks === 0; round++) {
      const tickets = await storeTickets(db, 8);
      const unsorted = (t: TreatedTicket): ProductUpsert[] =>
        t.lines.map((l) => ({
          productId: l.productId,
          name: l.product,
          priceCents: l.priceCents,
          lastSeenAt: t.receivedAt,
          ticketSeq: t.seq,
          ticketId: t.id,
        }));
      const result = await contend(db, tickets, unsorted);
      assert.deepEqual(result.errors, []);
      deadlocks += result.deadlocks;
    }
    assert.ok(deadlocks > 0, 'shuffled lock orders should have deadlocked at least once');
  } finally {
    await db.close();
  }
});
