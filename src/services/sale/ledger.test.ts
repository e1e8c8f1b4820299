import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSql } from '../../platform/postgres/open.js';
import { createRuntime } from '../../platform/runtime.js';
import { silentLogger } from '../../shared/logger.js';
import { withPg } from '../../testing/backends.js';
import { needService, uniqueName } from '../../testing/services.js';
import { auditSaleIn } from './adapters/audit.js';
import { SqlLedger } from './adapters/sql-ledger.js';
import { SALE_MIGRATIONS } from './adapters/sql-schema.js';
import { catalogItem, type SaleTerms } from './domain/terms.js';
import { assertInvariants } from './testing/harness.js';

const pgGate = await needService('postgres');

const SALE: SaleTerms = {
  id: 1_800_000_000,
  startsAt: 1_800_000_000_000,
  endsAt: 1_800_003_600_000,
  items: 3,
  userLimit: 2,
};
const AT = SALE.startsAt + 60_000;

/** A migrated schema of its own, the ledger on it, and the sale opened; dropped by `close`. */
async function openLedger(name: string) {
  const rt = createRuntime({ name: 'ledger-test', logger: silentLogger(), defaultMetrics: false });
  const schema = uniqueName(name);
  const db = await openSql(rt, {
    url: pgGate.url,
    dataDir: '',
    schema,
    poolSize: 4,
    migrations: SALE_MIGRATIONS,
  });
  const ledger = new SqlLedger(db.client, schema, db.writeConcurrency).register(rt.lifecycle);
  await ledger.openSale(AT, SALE, catalogItem);
  const sql = (text: string, params: unknown[] = []) =>
    db.client.query(text.replaceAll('S.', `"${schema}".`), params);
  /** A reservation row for `code`, as a checkout writes it. */
  const issue = (code: string, user: number, item: number) =>
    ledger.recordCheckout({
      id: code,
      saleId: SALE.id,
      user: String(user),
      item,
      result: 'reserved',
      code,
      expiresAt: AT + 60_000,
      at: AT,
    });
  const buy = (code: string, user: number, item: number) =>
    sql(
      'INSERT INTO S.purchases (sale_id, item_id, user_id, code, purchased_at) VALUES ($1, $2, $3, $4, now())',
      [SALE.id, item, user, code],
    );
  return {
    ledger,
    sql,
    issue,
    buy,
    schema,
    client: db.client,
    async close() {
      await rt.lifecycle.shutdown();
      await withPg((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}

/** Rejects naming `constraint`. */
async function refused(p: Promise<unknown>, constraint: string): Promise<void> {
  await assert.rejects(p, (err: { constraint?: string; message?: string }) => {
    assert.ok(
      err.constraint === constraint || err.message?.includes(constraint),
      `${constraint}: ${err.message}`,
    );
    return true;
  });
}

test('ledger: the constraints refuse overselling written straight into the tables', {
  skip: pgGate.skip,
}, async () => {
  const l = await openLedger('ledger');
  try {
    const { rows } = await l.sql('SELECT item_id, name, image_url FROM S.items ORDER BY item_id');
    assert.deepEqual(
      rows,
      [1, 2, 3].map((n) => ({
        item_id: n,
        name: catalogItem(SALE.id, n).name,
        image_url: catalogItem(SALE.id, n).imageUrl,
      })),
    );
    for (const [code, user, item] of [
      ['a', 1, 1],
      ['b', 2, 1],
      ['d', 1, 2],
      ['e', 1, 3],
      ['f', 3, 3],
    ] as const)
      await l.issue(code, user, item);
    await l.buy('a', 1, 1);
    await refused(l.buy('b', 2, 1), 'purchases_one_per_item');
    await refused(l.buy('a', 1, 2), 'purchases_code_once');
    await refused(l.buy('nobody-issued-this', 1, 2), 'purchases_of_checkout');
    await refused(l.buy('f', 3, 4), 'purchases_of_item');
    await refused(l.sql(`INSERT INTO S.items VALUES ($1, 4, 3, 'x', 'y')`, [SALE.id]), 'items_within_stock');
    await refused(l.sql(`INSERT INTO S.items VALUES ($1, 4, 4, 'x', 'y')`, [SALE.id]), 'items_of_sale');
    await l.buy('d', 1, 2);
    await refused(l.buy('e', 1, 3), 'sale_users_within_limit');
    await refused(l.sql('INSERT INTO S.sale_users VALUES ($1, 5, 100, 50)', [SALE.id]), 'sale_users_of_sale');
    await refused(l.sql('UPDATE S.purchases SET user_id = 9'), 'append-only');
    await refused(
      l.sql(
        `INSERT INTO S.checkouts (id, sale_id, result, attempted_at) VALUES ('g', $1, 'reserved', now())`,
        [SALE.id],
      ),
      'checkouts_code_iff_reserved',
    );
    await refused(
      l.sql(
        `INSERT INTO S.sales VALUES (1800001800, to_timestamp(1800001800), to_timestamp(1800009000), 3, 2)`,
      ),
      'sales_no_overlap',
    );
    const audit = await auditSaleIn(l.client, l.schema, { saleId: SALE.id });
    assert.ok(audit);
    assert.equal(audit.sold, 2);
    assertInvariants(audit, false);
  } finally {
    await l.close();
  }
});

test('ledger: a group-committed batch with a refused purchase records the others and names the refusal', {
  skip: pgGate.skip,
}, async () => {
  const l = await openLedger('ledgerbatch');
  try {
    for (const [code, user, item] of [
      ['a', 1, 1],
      ['b', 2, 1],
      ['c', 3, 2],
      ['d', 3, 3],
      ['e', 4, 3],
    ] as const)
      await l.issue(code, user, item);
    const at = AT + 1000;
    const results = await Promise.all([
      l.ledger.recordPurchase({ saleId: SALE.id, item: 1, user: '1', code: 'a', at }),
      l.ledger.recordPurchase({ saleId: SALE.id, item: 1, user: '2', code: 'b', at }),
      l.ledger.recordPurchase({ saleId: SALE.id, item: 2, user: '3', code: 'c', at }),
      l.ledger.recordPurchase({ saleId: SALE.id, item: 3, user: '1', code: 'a', at }),
      l.ledger.recordPurchase({ saleId: SALE.id, item: 3, user: '4', code: 'e', at }),
    ]);
    assert.deepEqual(results, ['recorded', 'item_sold', 'recorded', 'code_used', 'recorded']);
    const snapshot = await l.ledger.snapshot(SALE, at);
    assert.deepEqual(snapshot.sold.map((s) => s.item).sort(), [1, 2, 3]);
    assert.deepEqual(snapshot.reserved, [], 'no live reservation of a sold item');
    assert.deepEqual(await l.ledger.findCode('b'), {
      saleId: SALE.id,
      item: 1,
      user: '2',
      expiresAt: AT + 60_000,
      purchased: false,
    });
    assert.equal((await l.ledger.findCode('a'))?.purchased, true);
    assert.equal(await l.ledger.findCode('zzz'), undefined);
  } finally {
    await l.close();
  }
});

test('audit: each invariant turns false when its constraint is gone and the data breaks it', {
  skip: pgGate.skip,
}, async () => {
  const l = await openLedger('ledgeraudit');
  try {
    await l.sql('ALTER TABLE S.purchases DROP CONSTRAINT purchases_one_per_item');
    await l.sql('ALTER TABLE S.purchases DROP CONSTRAINT purchases_code_once');
    await l.sql('ALTER TABLE S.purchases DROP CONSTRAINT purchases_of_checkout');
    await l.sql('ALTER TABLE S.purchases DROP CONSTRAINT purchases_of_item');
    await l.sql('ALTER TABLE S.purchases DISABLE TRIGGER purchases_count');
    for (const [code, user, item] of [
      ['a', 1, 1],
      ['b', 1, 2],
    ] as const)
      await l.issue(code, user, item);
    await l.buy('a', 1, 1);
    await l.buy('a', 1, 1); // the same item, the same code
    await l.buy('b', 1, 2); // user 1's third purchase, over the limit of 2
    await l.buy('never-issued', 2, 7); // an item the sale does not have, a code no checkout issued
    const audit = await auditSaleIn(l.client, l.schema, { saleId: SALE.id, answeredCheckouts: 3 });
    assert.deepEqual(audit?.invariants, {
      soldEqualsItems: false,
      noOversell: false,
      noItemSoldTwice: false,
      noUserOverLimit: false,
      codesSingleUse: false,
      purchasesMatchCheckouts: false,
      checkoutsPersisted: false,
    });
    assert.equal(audit?.sold, 4);
    assert.equal(audit?.maxPerUser, 3);
  } finally {
    await l.close();
  }
});
