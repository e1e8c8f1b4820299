import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { SaleClient } from './testing/client.js';
import {
  assertInvariants,
  auditOf,
  injectPurchase,
  movableClock,
  saleBackends,
  startTestSale,
} from './testing/harness.js';
import { Tally } from './testing/shoppers.js';

const pgGate = await needService('postgres');
const redisGate = await needService('redis');

/** 12:10 UTC on a fixed day: ten minutes into the 12:00 sale, far from either boundary. */
const START = Date.UTC(2030, 0, 1, 12, 10);
const TTL_MS = 60_000;

test('contract: every status of POST /checkout, POST /purchase and GET /sale, the probes and the metrics', {
  skip: pgGate.skip || redisGate.skip,
  timeout: 60_000,
}, async () => {
  const backends = saleBackends('contract');
  const clock = movableClock(START);
  const svc = await startTestSale(backends, { items: '8', userLimit: '2', checkoutTtl: '1m' }, { clock });
  const client = new SaleClient(svc.url, 4);
  const tally = new Tally();
  const checkout = async (user: number, item: number | string) => {
    const a = await client.checkout(user, item);
    tally.noteCheckout(String(user), Number(item), a);
    return a;
  };
  const purchase = async (code: string) => {
    const a = await client.purchase(code);
    tally.notePurchase(code, a);
    return a;
  };
  try {
    const sale = await client.sale();
    assert.deepEqual(sale, {
      id: Date.UTC(2030, 0, 1, 12) / 1000,
      start: '2030-01-01T12:00:00.000Z',
      end: '2030-01-01T13:00:00.000Z',
      items: 8,
      user_limit: 2,
      sold: 0,
      reserved: 0,
    });

    const before = clock.now();
    const c1 = await checkout(1, 1);
    assert.equal(c1.status, 200);
    assert.match(String(c1.body.code), /^[0-9a-f]{32}$/);
    assert.equal(c1.body.item_id, 1);
    const expires = Date.parse(String(c1.body.expires_at));
    assert.ok(
      expires >= before + TTL_MS && expires <= clock.now() + TTL_MS,
      'expires one TTL after the checkout',
    );
    assert.deepEqual(await checkout(1, 1), c1, 'a retried checkout of a held item returns the same code');
    assert.deepEqual(await checkout(2, 1), { status: 409, body: { error: 'item_unavailable' } });
    assert.deepEqual(await checkout(2, 9), { status: 404, body: { error: 'item_not_found' } });
    assert.deepEqual(await checkout(2, 'x'), { status: 400, body: { error: 'invalid_params' } });
    const c2 = await checkout(1, 2);
    assert.equal(c2.status, 200);
    assert.deepEqual(await checkout(1, 3), { status: 429, body: { error: 'user_limit_reached' } });
    assert.equal((await client.sale()).reserved, 2);

    const code1 = String(c1.body.code);
    assert.deepEqual(await purchase(code1), {
      status: 200,
      body: { status: 'purchased', item_id: 1, user_id: 1 },
    });
    assert.deepEqual(await purchase(code1), { status: 409, body: { error: 'code_used' } });
    assert.deepEqual(await purchase('0'.repeat(32)), { status: 404, body: { error: 'code_not_found' } });
    assert.deepEqual(await purchase('not-a-code'), { status: 404, body: { error: 'code_not_found' } });
    assert.deepEqual(await client.send('POST', '/purchase'), {
      status: 400,
      body: { error: 'invalid_params' },
    });

    // Expiry frees the item and the user's place under the limit.
    clock.advance(TTL_MS + 1);
    assert.deepEqual(await purchase(String(c2.body.code)), { status: 410, body: { error: 'code_expired' } });
    assert.equal((await checkout(2, 2)).status, 200, 'the expired reservation freed item 2');
    assert.equal((await checkout(1, 3)).status, 200, 'and user 1 is back under the limit');

    // A wrong application (or another writer) sold item 4, and twice to user 77, past the hot state:
    // the ledger's constraints refuse what the hot state then allows.
    await injectPurchase(backends, sale, 99, 4);
    await injectPurchase(backends, sale, 77, 5);
    await injectPurchase(backends, sale, 77, 6);
    const c4 = await checkout(3, 4);
    const c7 = await checkout(77, 7);
    assert.equal(c4.status, 200, 'the hot state does not know item 4 is sold');
    assert.equal(c7.status, 200, 'nor that user 77 is at the limit');
    assert.deepEqual(await purchase(String(c4.body.code)), { status: 409, body: { error: 'item_sold' } });
    assert.deepEqual(await purchase(String(c7.body.code)), {
      status: 429,
      body: { error: 'user_limit_reached' },
    });
    const rebuilt = await client.sale();
    assert.equal(rebuilt.sold, 4, 'the hot state was rebuilt from the ledger: items 1, 4, 5, 6 sold');

    // Sell the rest: once the reservations expire, items 2, 3, 7 and 8 go to new users.
    clock.advance(TTL_MS + 1);
    for (const [user, item] of [
      [10, 2],
      [11, 3],
      [12, 7],
      [13, 8],
    ] as const) {
      const c = await checkout(user, item);
      assert.equal(c.status, 200, `item ${item} is free again`);
      assert.equal((await purchase(String(c.body.code))).status, 200);
    }
    assert.deepEqual(await checkout(14, 1), { status: 409, body: { error: 'sold_out' } });
    const end = await client.sale();
    assert.equal(end.sold, 8);
    assert.equal(end.reserved, 0);

    const get = await client.send('GET', '/checkout?user_id=1&id=1');
    assert.deepEqual(get, { status: 405, body: { error: 'method_not_allowed' } });
    assert.deepEqual(await client.send('GET', '/healthz'), { status: 200, body: { status: 'ok' } });
    assert.deepEqual(await client.send('GET', '/readyz'), { status: 200, body: { status: 'ready' } });

    const metrics = await scrape(svc.url);
    for (const [key, n] of tally.checkouts) {
      const result = key === '200' ? 'reserved' : key.split(' ')[1];
      assert.equal(metricValue(metrics, `sale_checkouts_total{result="${result}"}`), n, `checkouts ${key}`);
    }
    for (const [key, n] of tally.purchases) {
      const result = key === '200' ? 'purchased' : key.split(' ')[1];
      const counted = metricValue(metrics, `sale_purchases_total{result="${result}"}`);
      // The malformed and unknown codes, and the bare POST, are counted too.
      assert.ok(counted >= n, `purchases ${key}: ${counted} >= ${n}`);
    }
    assert.equal(metricValue(metrics, 'sale_items_sold'), 8);
    assert.equal(metricValue(metrics, 'sale_reservations_active'), 0);
    assert.equal(
      metricValue(metrics, 'http_requests_total{method="POST",route="/checkout",status="429"}'),
      1,
    );

    // The three injected purchases brought their checkout rows with them.
    const audit = await auditOf(backends, { answeredCheckouts: tally.answered + 3 });
    assertInvariants(audit, true);
    assert.equal(audit.maxPerUser, 2);
  } finally {
    await client.close();
    await svc.close();
    await backends.cleanup();
  }
});
