import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needService } from '../../testing/services.js';
import { type SaleBody, SaleClient } from './testing/client.js';
import { assertInvariants, auditOf, saleBackends, startTestSale } from './testing/harness.js';

const pgGate = await needService('postgres');
const redisGate = await needService('redis');
/** Both services are needed; a minute is ample on a busy machine. */
const OPTS = { skip: pgGate.skip || redisGate.skip, timeout: 60_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One user may hold one item, for 1.5 s; a day-long sale, so no boundary falls in the test. */
const SHORT_HOLD = { items: '5', userLimit: '1', checkoutTtl: '1500ms', saleInterval: '24h' };
/** A sale every 3 s, of 3 items, one per user; reservations would outlive a sale. */
const SHORT_SALES = { items: '3', userLimit: '1', saleInterval: '3s', checkoutTtl: '1m' };

test(
  'expiry, on the real clock: an expired reservation frees its item and its place under the limit',
  OPTS,
  async (t) => {
    const backends = saleBackends('expiry');
    const svc = await startTestSale(backends, SHORT_HOLD);
    const client = new SaleClient(svc.url, 2);
    try {
      const started = Date.now();
      const held = await client.checkout(1, 1);
      assert.equal(held.status, 200);
      const other = await client.checkout(2, 1);
      const second = await client.checkout(1, 2);
      const reserved = (await client.sale()).reserved;
      if (Date.now() - started < 1400) {
        assert.deepEqual(other.body, { error: 'item_unavailable' }, 'held by user 1');
        assert.deepEqual(second.body, { error: 'user_limit_reached' }, 'user 1 is at the limit');
        assert.equal(reserved, 1);
      } else {
        t.diagnostic('the machine stalled past the TTL: the checks before expiry were skipped');
      }
      await sleep(Math.max(0, Date.parse(String(held.body.expires_at)) - Date.now() + 100));
      assert.equal((await client.sale()).reserved, 0, 'no live reservation once it expired');
      assert.equal((await client.checkout(2, 1)).status, 200, 'item 1 is free again');
      assert.equal((await client.checkout(1, 2)).status, 200, 'user 1 is under the limit again');
      assert.deepEqual(await client.purchase(String(held.body.code)), {
        status: 410,
        body: { error: 'code_expired' },
      });
      // Five checkouts answered, five recorded.
      assertInvariants(await auditOf(backends, { answeredCheckouts: 5 }), false);
    } finally {
      await client.close();
      await svc.close();
      await backends.cleanup();
    }
  },
);

/** Polls GET /sale until a sale other than `id` runs; resolves with it. */
async function nextSale(client: SaleClient, id: number): Promise<SaleBody> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const sale = await client.sale();
    if (sale.id !== id) return sale;
    assert.ok(Date.now() < deadline, 'the next sale started');
    await sleep(25);
  }
}

test(
  'sale boundary, on the real clock: a new sale every 3 s, aligned, with fresh stock and fresh per-user counts',
  OPTS,
  async (t) => {
    const backends = saleBackends('boundary');
    const svc = await startTestSale(backends, SHORT_SALES);
    const client = new SaleClient(svc.url, 2);
    try {
      let first: SaleBody | undefined;
      let oldCode = '';
      // Each round starts just after a boundary; a round the machine stalled across a boundary is retried.
      for (let round = 0; round < 4 && first === undefined; round++) {
        const sale = await nextSale(client, (await client.sale()).id);
        assert.equal(sale.id % 3, 0, 'aligned: sales start at whole multiples of 3 s');
        assert.equal(Date.parse(sale.start), sale.id * 1000);
        assert.equal(Date.parse(sale.end), sale.id * 1000 + 3000);
        const c1 = await client.checkout(1, 1);
        const p1 = await client.purchase(String(c1.body.code));
        const limit = await client.checkout(1, 2);
        const c2 = await client.checkout(2, 2);
        const view = await client.sale();
        if (view.id !== sale.id) {
          t.diagnostic(`round ${round}: the sale ended mid-round; again`);
          continue;
        }
        assert.equal(c1.body.expires_at, sale.end, 'a reservation never outlives its sale');
        assert.equal(p1.status, 200);
        assert.deepEqual(limit.body, { error: 'user_limit_reached' });
        assert.equal(c2.status, 200);
        assert.equal(view.sold, 1);
        assert.equal(view.reserved, 1);
        first = view;
        oldCode = String(c2.body.code);
      }
      assert.ok(first, 'a round fitted in one sale');
      const second = await nextSale(client, first.id);
      assert.equal(second.id, first.id + 3);
      assert.equal(second.start, first.end);
      assert.equal(second.sold, 0, 'fresh stock');
      assert.equal(second.reserved, 0);
      const again = await client.checkout(1, 1);
      assert.equal(again.status, 200, 'user 1, at the limit in the last sale, buys again');
      assert.equal((await client.purchase(String(again.body.code))).status, 200);
      assert.deepEqual(
        await client.purchase(oldCode),
        { status: 410, body: { error: 'code_expired' } },
        'an old sale’s code',
      );
      // The first sale's round: three checkouts; the second sale: one.
      const audit = await auditOf(backends, { saleId: first.id, answeredCheckouts: 3 });
      assertInvariants(audit, false);
      assert.equal(audit.sold, 1);
      const next = await auditOf(backends, { saleId: second.id, answeredCheckouts: 1 });
      assertInvariants(next, false);
      assert.equal(next.sold, 1);
    } finally {
      await client.close();
      await svc.close();
      await backends.cleanup();
    }
  },
);
