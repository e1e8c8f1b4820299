import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { type Answer, SaleClient } from './testing/client.js';
import { assertInvariants, auditOf, inParallel, saleBackends, startTestSale } from './testing/harness.js';
import { buy, Tally } from './testing/shoppers.js';

const pgGate = await needService('postgres');
const redisGate = await needService('redis');

const ITEMS = 200;
const LIMIT = 10;
const USERS = 2000;
/** Users who fire 14 checkouts at once: the limit must hold against a user's own concurrency. */
const GREEDY = 40;
/** Every DOUBLE-th other user buys each code down two connections at once. */
const DOUBLE = 7;
const STALL_MS = 10_000;

/** A random item not in `taken` (any item once all are). */
function pick(taken: ReadonlySet<number>): number {
  const free = ITEMS - taken.size;
  if (free <= 0) return 1 + randomInt(ITEMS);
  let k = randomInt(free);
  for (let item = 1; ; item++) if (!taken.has(item) && k-- === 0) return item;
}

test('race: 2,000 users for 200 items, limit 10: exactly 200 sold, none twice, no user over 10, codes single-use', {
  skip: pgGate.skip || redisGate.skip,
  timeout: 180_000,
}, async (t) => {
  const backends = saleBackends('race');
  const svc = await startTestSale(backends, {
    items: String(ITEMS),
    userLimit: String(LIMIT),
    checkoutTtl: '10m',
  });
  const a = new SaleClient(svc.url, 48);
  const b = new SaleClient(svc.url, 8);
  const tally = new Tally();
  const doubles: Array<[Answer, Answer]> = [];
  const unexpected: string[] = [];
  // When nobody reserves anything for this long and the sale is not sold out, something is stuck.
  let progressAt = Date.now();
  try {
    const greedy = async (user: string) => {
      const items = new Set<number>();
      while (items.size < 14) items.add(1 + randomInt(ITEMS));
      const answers = await Promise.all(
        [...items].map(async (item) => {
          const answer = await a.checkout(user, item);
          tally.noteCheckout(user, item, answer);
          return answer;
        }),
      );
      await Promise.all(
        answers.filter((x) => x.status === 200).map((x) => buy(a, tally, x.body.code as string)),
      );
    };
    // A racer remembers the items it found taken (as a shopper sees "sold" on the page) and tries
    // the others, until the sale is sold out or it reaches the limit.
    const racer = async (user: string, double: boolean) => {
      const taken = new Set<number>();
      while (Date.now() - progressAt < STALL_MS) {
        const item = pick(taken);
        const c = await a.checkout(user, item);
        tally.noteCheckout(user, item, c);
        if (c.status === 200) {
          progressAt = Date.now();
          const code = c.body.code as string;
          if (double) {
            const both = await Promise.all([a.purchase(code), b.purchase(code)]);
            for (const p of both) tally.notePurchase(code, p);
            doubles.push(both);
          } else {
            await buy(a, tally, code);
          }
          taken.add(item);
        } else if (c.body.error === 'sold_out' || c.status === 429) {
          return;
        } else if (c.body.error === 'item_unavailable') {
          taken.add(item);
          if (taken.size === ITEMS) await new Promise((r) => setTimeout(r, 50));
        } else {
          unexpected.push(`checkout ${c.status} ${JSON.stringify(c.body)}`);
        }
      }
      unexpected.push(`user ${user}: no item was reserved for ${STALL_MS} ms, yet the sale never sold out`);
    };
    // Greedy users are spread among the racers, not queued ahead of them.
    const greedyAt = USERS / GREEDY;
    await inParallel(USERS, (i) =>
      i % greedyAt === 0 ? greedy(String(i + 1)) : racer(String(i + 1), i % DOUBLE === 1),
    );

    t.diagnostic(`checkouts ${JSON.stringify(Object.fromEntries(tally.checkouts))}`);
    t.diagnostic(
      `purchases ${JSON.stringify(Object.fromEntries(tally.purchases))}, doubles ${doubles.length}`,
    );
    assert.deepEqual(unexpected, []);
    assert.equal(tally.unanswered, 0, 'every request answered');
    assert.deepEqual(tally.oversold(LIMIT), [], 'no item bought twice, no user over the limit (client view)');
    assert.equal(tally.bought.size, ITEMS, 'exactly 200 purchases answered 200');
    assert.equal(tally.issued.size, ITEMS, 'one code per item: no item was reserved by two users');
    const codesPerUser = new Map<string, number>();
    for (const { user } of tally.issued.values()) codesPerUser.set(user, (codesPerUser.get(user) ?? 0) + 1);
    assert.ok(Math.max(...codesPerUser.values()) <= LIMIT, 'no user ever held more than 10 codes');
    assert.ok(tally.count('checkouts', '429 user_limit_reached') > 0, 'the limit was reached, and held');
    for (const [x, y] of doubles) {
      const statuses = [x.status, y.status].sort();
      assert.deepEqual(statuses, [200, 409], 'the same code from two connections: one sale, one code_used');
      assert.equal((x.status === 409 ? x : y).body.error, 'code_used');
    }
    assert.ok(doubles.length > 0, 'some codes were raced');
    // The hot state alone held: the ledger never had to refuse a purchase.
    for (const key of tally.purchases.keys())
      assert.ok(['200', '409 code_used'].includes(key), `purchase ${key}`);
    for (const code of [...tally.bought.keys()].slice(0, 20)) {
      assert.equal((await a.purchase(code)).body.error, 'code_used', 'a bought code cannot be used again');
    }

    const sale = await a.sale();
    assert.equal(sale.sold, ITEMS);
    assert.equal(sale.reserved, 0);
    const metrics = await scrape(svc.url);
    assert.equal(metricValue(metrics, 'sale_items_sold'), ITEMS);
    assert.equal(metricValue(metrics, 'sale_purchases_total{result="purchased"}'), ITEMS);
    assert.equal(
      metricValue(metrics, 'sale_checkouts_total{result="reserved"}'),
      tally.count('checkouts', '200'),
    );

    const audit = await auditOf(backends, { answeredCheckouts: tally.answered });
    assertInvariants(audit, true);
    assert.equal(audit.sold, ITEMS);
    assert.equal(audit.checkouts, tally.answered, 'every checkout answered is recorded');
    assert.equal(audit.checkoutsByResult.reserved, ITEMS);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await svc.close();
    await backends.cleanup();
  }
});
