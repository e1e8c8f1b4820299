import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { needRedisServer, type PrivateRedis, startPrivateRedis, withRedis } from '../../testing/redis.js';
import { needService } from '../../testing/services.js';
import { waitFor } from '../../testing/wait.js';
import { SaleClient } from './testing/client.js';
import { assertInvariants, auditOf, saleBackends, startTestSale } from './testing/harness.js';
import { buy, crowd, type Kept, Tally } from './testing/shoppers.js';

const pgGate = await needService('postgres');
const redisTool = needRedisServer();

const ITEMS = 200;
const LIMIT = 5;

test('Redis loss: FLUSHALL, then a Redis crash and restart, mid-sale: the state is rebuilt from Postgres, the sale goes on, nothing oversold', {
  skip: pgGate.skip || redisTool.skip,
  timeout: 120_000,
}, async (t) => {
  // A Redis of this test's own: FLUSHALL and a crash must not touch anyone else's keys.
  const redis: PrivateRedis = await startPrivateRedis();
  const backends = saleBackends('redisloss', redis.url);
  const svc = await startTestSale(backends, {
    items: String(ITEMS),
    userLimit: String(LIMIT),
    checkoutTtl: '2m',
  });
  const client = new SaleClient(svc.url, 16);
  const tally = new Tally();
  const kept: Kept[] = [];
  let keeping = true;
  let stopped = false;
  const stop = () => stopped;
  let running: Promise<void> = Promise.resolve();
  try {
    const keep = () => keeping && randomInt(4) === 0;
    running = crowd(client, tally, {
      shoppers: 16,
      users: 300,
      items: ITEMS,
      ms: 80_000,
      stop,
      keep,
      kept,
      pauseMs: 10,
    });
    assert.ok(await waitFor(async () => tally.bought.size >= 50, 30_000, 20), '50 sold before the flush');
    await withRedis((c) => c.flushall(), redis.url);
    keeping = false;
    const atFlush = tally.bought.size;
    assert.ok(
      await waitFor(async () => tally.bought.size >= atFlush + 40, 30_000, 20),
      'sales go on after the flush',
    );

    await redis.stop('SIGKILL');
    const ready = await client.send('GET', '/readyz');
    assert.equal(ready.status, 503, 'not ready while Redis is down');
    await new Promise((r) => setTimeout(r, 500));
    await redis.start();
    assert.ok(
      await waitFor(async () => (await client.send('GET', '/readyz')).status === 200, 15_000, 100),
      'ready again',
    );

    // Codes reserved before the flush were rebuilt from the ledger: each still buys its item (unless
    // its holder happened to check the same item out again, got the same code and bought it).
    for (const { code } of kept) {
      const want = tally.bought.has(code) ? 409 : 200;
      assert.equal((await buy(client, tally, code))?.status, want, `kept code ${code}`);
    }
    await running;
    t.diagnostic(`checkouts ${JSON.stringify(Object.fromEntries(tally.checkouts))}`);
    t.diagnostic(`purchases ${JSON.stringify(Object.fromEntries(tally.purchases))}, kept ${kept.length}`);
    assert.ok(kept.length > 0, 'some codes were kept across the flush');
    const sale = await client.sale();
    assert.equal(sale.sold, ITEMS, 'sold out');
    assert.equal(tally.unanswered, 0, 'the HTTP side answered every request, 503 while Redis was away');
    assert.deepEqual(tally.oversold(LIMIT), []);
    const audit = await auditOf(backends, { answeredCheckouts: tally.answered });
    assertInvariants(audit, true);
    assert.equal(audit.sold, tally.bought.size, 'every purchase recorded was answered 200');
  } finally {
    stopped = true;
    await running.catch(() => {});
    await client.close();
    await svc.close();
    await backends.cleanup();
    await redis.stop();
  }
});
