/**
 * The Postgres adapter against the real server: intake with idempotency, the worker's claim and
 * record, the read views, counts. The products rule under concurrency is in products.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { needService } from '../../../testing/services.js';
import { bodyDigest } from '../idempotency.js';
import { parseTicket } from '../parse.js';
import { SEED_TICKET } from '../testing/summary.js';
import { testSchema } from './schema.testing.js';
import {
  claimReceived,
  countTickets,
  type IncomingTicket,
  readBacklog,
  readProduct,
  readTicket,
  receiveTickets,
  recordTreatments,
} from './store.js';

const gate = await needService('postgres');

function incoming(body: string | Buffer, key: string | null = null): IncomingTicket {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return { id: randomUUID(), idempotencyKey: key, body: bytes, digest: bodyDigest(bytes) };
}

test('store: receive stores bytes exactly, seqs follow the batch, keys make retries replays', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_receive');
  try {
    const garbage = Buffer.from([0, 255, 0xfe, 0x80, 10, 0, 1]);
    const big = Buffer.alloc(1024 * 1024, 0x61);
    const batch = [
      incoming(SEED_TICKET, 'k1'),
      incoming(garbage),
      incoming(big, 'k-big'),
      incoming(SEED_TICKET, 'k1'), // the same delivery twice in one batch
      incoming(`${SEED_TICKET}\n`, 'k1'), // the key reused for another body
      incoming(SEED_TICKET), // no key: a ticket of its own, even with the same body
    ];
    const out = await db.inTransaction((tx) => receiveTickets(tx, db.sql, batch));
    assert.deepEqual(
      out.map((o) => o.kind),
      ['stored', 'stored', 'stored', 'replay', 'key_reused', 'stored'],
    );
    const first = out[0];
    assert.ok(first?.kind === 'stored');
    assert.equal(out[3]?.id, first.id, 'the replay answers with the first id');
    assert.equal(out[4]?.id, first.id, 'the reuse names the ticket that holds the key');
    const seqs = out.filter((o) => o.kind === 'stored').map((o) => o.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'seq follows the order of the batch',
    );

    // A retry in a later transaction: the same id, nothing new stored.
    const again = await receiveTickets(db.pool, db.sql, [
      incoming(SEED_TICKET, 'k1'),
      incoming(big, 'k-big'),
    ]);
    assert.deepEqual(
      again.map((o) => [o.kind, o.id]),
      [
        ['replay', first.id],
        ['replay', out[2]?.id],
      ],
    );
    const rows = await db.pool.query(`SELECT id, body FROM "${db.schema}".tickets ORDER BY seq`);
    assert.equal(rows.rows.length, 4);
    const bodies = new Map(rows.rows.map((r: { id: string; body: Buffer }) => [r.id, r.body]));
    assert.deepEqual(bodies.get(out[1]?.id as string), garbage, 'a NUL-laden body round-trips byte for byte');
    assert.equal(bodies.get(out[2]?.id as string)?.length, big.length);
    assert.equal(await readBacklog(db.pool, db.sql), 4);
  } finally {
    await db.close();
  }
});

test('store: two connections racing one key store one ticket and agree on its id', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_race');
  try {
    for (let round = 0; round < 10; round++) {
      const key = `race-${round}`;
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          db.inTransaction((tx) => receiveTickets(tx, db.sql, [incoming(SEED_TICKET, key)])),
        ),
      );
      const kinds = results.map((r) => r[0]?.kind).sort();
      assert.deepEqual(kinds, ['replay', 'replay', 'replay', 'stored']);
      assert.equal(new Set(results.map((r) => r[0]?.id)).size, 1);
    }
    const count = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".tickets`);
    assert.equal(count.rows[0].n, 10);
  } finally {
    await db.close();
  }
});

test('store: a worker claims, parses and records; the views show status, lines, warnings and error details', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_treat');
  try {
    const messy = SEED_TICKET.replace(/\n/g, '\r\n').replace('Café,IZ8z,2', 'Café,IZ8z');
    const bodies = [SEED_TICKET, messy, 'Total: 3\n\nproduct,product_id,price\na,A,3\n', ''];
    const received = await receiveTickets(
      db.pool,
      db.sql,
      bodies.map((b) => incoming(b)),
    );
    const ids = received.map((r) => r.id);

    const summary = await db.inTransaction(async (tx) => {
      const claimed = await claimReceived(tx, db.sql, 10);
      assert.deepEqual(
        claimed.map((c) => c.id),
        ids,
        'oldest first',
      );
      return recordTreatments(
        tx,
        db.sql,
        claimed.map((ticket) => ({ ticket, result: parseTicket(ticket.body) })),
      );
    });
    assert.deepEqual(summary, { treated: 2, error: 2, skipped: 0, done: new Set(ids) });

    const seed = await readTicket(db.pool, db.sql, ids[0] as string);
    assert.equal(seed?.status, 'treated');
    assert.equal(seed?.order, '123456');
    assert.equal(seed?.vatCents, 310);
    assert.equal(seed?.totalCents, 1690);
    assert.ok(seed?.treatedAt instanceof Date && seed.treatedAt >= seed.receivedAt);
    assert.deepEqual(seed?.lines, [
      { row: 1, product: 'Formule(s) midi', productId: 'aZde', priceCents: 1490 },
      { row: 2, product: 'Café', productId: 'IZ8z', priceCents: 200 },
    ]);
    assert.deepEqual(seed?.warnings, []);
    assert.equal(seed?.error, null);

    const mess = await readTicket(db.pool, db.sql, ids[1] as string);
    assert.equal(mess?.status, 'treated', 'bad rows do not sink a good ticket');
    assert.deepEqual(
      mess?.warnings.map((w) => w.kind),
      ['crlf', 'missing_column', 'total_mismatch'],
    );
    assert.equal(mess?.lines.length, 1);

    const noOrder = await readTicket(db.pool, db.sql, ids[2] as string);
    assert.equal(noOrder?.status, 'error');
    assert.equal(noOrder?.error?.kind, 'missing_order');
    assert.match(noOrder?.error?.detail ?? '', /Order/);
    assert.deepEqual(
      noOrder?.warnings.map((w) => w.kind),
      ['missing_header'],
    );
    assert.deepEqual(noOrder?.lines, []);
    assert.equal((await readTicket(db.pool, db.sql, ids[3] as string))?.error?.kind, 'empty');

    const cafe = await readProduct(db.pool, db.sql, 'IZ8z');
    assert.equal(cafe?.priceCents, 200, 'only the seed ticket had a valid Café row');
    assert.equal(cafe?.lastTicketId, ids[0]);
    assert.equal(
      (await readProduct(db.pool, db.sql, 'aZde'))?.lastTicketId,
      ids[1],
      'the later ticket set it',
    );
    assert.equal(await readProduct(db.pool, db.sql, 'A'), null, 'an error ticket writes no product');
    assert.equal(await readProduct(db.pool, db.sql, "x'; DROP TABLE products;--"), null);

    assert.deepEqual(await countTickets(db.pool, db.sql), {
      received: 0,
      treated: 2,
      error: 2,
      lines: 3,
      products: 2,
    });
    assert.equal(await readBacklog(db.pool, db.sql), 0);
    assert.equal(await readTicket(db.pool, db.sql, 'not-a-uuid'), null);
    assert.equal(await readTicket(db.pool, db.sql, randomUUID()), null);

    // Recording the same tickets again (a worker that lost its claim) writes nothing.
    const again = await recordTreatments(
      db.pool,
      db.sql,
      received.map((r, i) => ({
        ticket: { id: r.id, seq: i + 1, receivedAt: new Date() },
        result: parseTicket(bodies[i] as string),
      })),
    );
    assert.deepEqual(again, { treated: 0, error: 0, skipped: 4, done: new Set() });
    assert.deepEqual(await countTickets(db.pool, db.sql), {
      received: 0,
      treated: 2,
      error: 2,
      lines: 3,
      products: 2,
    });
  } finally {
    await db.close();
  }
});

test('store: concurrent workers claim disjoint tickets (SKIP LOCKED), and a rollback leaves them received', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_claim');
  try {
    await receiveTickets(
      db.pool,
      db.sql,
      Array.from({ length: 30 }, () => incoming(SEED_TICKET)),
    );
    // A worker that dies mid-transaction: its claim is released, nothing recorded.
    await assert.rejects(
      db.inTransaction(async (tx) => {
        assert.equal((await claimReceived(tx, db.sql, 5)).length, 5);
        throw new Error('worker crashed');
      }),
      /worker crashed/,
    );
    assert.equal(await readBacklog(db.pool, db.sql), 30);

    let release = () => {};
    const hold = new Promise<void>((r) => {
      release = r;
    });
    const claims: string[][] = [];
    const workers = Array.from({ length: 3 }, () =>
      db.inTransaction(async (tx) => {
        const claimed = await claimReceived(tx, db.sql, 10);
        claims.push(claimed.map((c) => c.id));
        // Everyone holds its claim until all three have claimed.
        if (claims.length === 3) release();
        await hold;
        await recordTreatments(
          tx,
          db.sql,
          claimed.map((ticket) => ({ ticket, result: parseTicket(ticket.body) })),
        );
      }),
    );
    await Promise.all(workers);
    const all = claims.flat();
    assert.equal(all.length, 30);
    assert.equal(new Set(all).size, 30, 'no ticket was claimed twice');
    assert.deepEqual(await countTickets(db.pool, db.sql), {
      received: 0,
      treated: 30,
      error: 0,
      lines: 60,
      products: 2,
    });
  } finally {
    await db.close();
  }
});
