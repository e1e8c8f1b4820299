import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRuntime } from '../../platform/runtime.js';
import { silentLogger } from '../../shared/logger.js';
import { deleteKeys } from '../../testing/redis.js';
import { needService, uniqueName } from '../../testing/services.js';
import { MemoryHotState } from './adapters/memory-hot.js';
import { openRedisHotState } from './adapters/redis-hot.js';
import type { HotState } from './domain/ports.js';
import type { SaleTerms } from './domain/terms.js';

const redisGate = await needService('redis');

const SALE: SaleTerms = { id: 1000, startsAt: 0, endsAt: 1_000_000, items: 3, userLimit: 2 };
const EMPTY = { sold: [], reserved: [] };

/** One step and what it must answer, the same for every implementation of the hot state. */
type Step = readonly [string, (h: HotState) => Promise<unknown>, unknown];

const reserve = (user: string, item: number, code: string, now: number, expiresAt: number) => (h: HotState) =>
  h.reserve(SALE, { user, item, code, now, expiresAt });
const purchase = (code: string, now: number) => (h: HotState) => h.purchase(SALE, code, now);
const counts = (now: number) => (h: HotState) => h.counts(SALE, now);

// biome-ignore format: a table, one row a line
const STEPS: readonly Step[] = [
  ['no state yet', reserve('1', 1, 'c1', 1000, 2000), { kind: 'missing' }],
  ['load an empty sale', (h) => h.load(SALE, EMPTY, 0), undefined],
  ['reserve', reserve('1', 1, 'c1', 1000, 2000), { kind: 'reserved', code: 'c1', expiresAt: 2000 }],
  ['held by another', reserve('2', 1, 'c2', 1001, 2001), { kind: 'unavailable' }],
  ['held by the same user: same code', reserve('1', 1, 'c3', 1002, 2002), { kind: 'reserved', code: 'c1', expiresAt: 2000 }],
  ['second item', reserve('1', 2, 'c4', 1003, 2003), { kind: 'reserved', code: 'c4', expiresAt: 2003 }],
  ['limit: two live reservations', reserve('1', 3, 'c5', 1004, 2004), { kind: 'limit' }],
  ['counts', counts(1005), { sold: 0, reserved: 2 }],
  ['purchase', purchase('c1', 1100), { kind: 'purchased', item: 1, user: '1' }],
  ['purchase again', purchase('c1', 1101), { kind: 'used' }],
  ['unknown code', purchase('c9', 1101), { kind: 'unknown' }],
  ['counts after a purchase', counts(1102), { sold: 1, reserved: 1 }],
  ['expired at its expiry instant', purchase('c4', 2003), { kind: 'expired' }],
  ['the expired item is free', reserve('2', 2, 'c6', 2010, 3010), { kind: 'reserved', code: 'c6', expiresAt: 3010 }],
  ['the expired one no longer counts', reserve('1', 3, 'c7', 2011, 3011), { kind: 'reserved', code: 'c7', expiresAt: 3011 }],
  ['release', (h) => h.release(SALE, 'c7'), undefined],
  ['a released code is expired', purchase('c7', 2012), { kind: 'expired' }],
  ['the released item is free', reserve('3', 3, 'c8', 2013, 3013), { kind: 'reserved', code: 'c8', expiresAt: 3013 }],
  ['purchase c6', purchase('c6', 2014), { kind: 'purchased', item: 2, user: '2' }],
  ['unpurchase c6', (h) => h.unpurchase(SALE, 'c6'), undefined],
  ['counts after the undo', counts(2015), { sold: 1, reserved: 2 }],
  ['purchase c6 again', purchase('c6', 2016), { kind: 'purchased', item: 2, user: '2' }],
  ['purchase c8', purchase('c8', 2017), { kind: 'purchased', item: 3, user: '3' }],
  ['sold out', reserve('4', 1, 'c10', 2018, 3018), { kind: 'sold_out' }],
  ['counts when sold out', counts(2019), { sold: 3, reserved: 0 }],
  ['drop', (h) => h.drop([SALE.id]), undefined],
  ['dropped: missing', purchase('c8', 2020), { kind: 'missing' }],
  ['dropped: counts missing', counts(2020), 'missing'],
  [
    'load a snapshot',
    (h) =>
      h.load(SALE, {
        sold: [{ item: 1, user: '1' }],
        reserved: [
          { code: 'r2', item: 2, user: '2', expiresAt: 5000 },
          { code: 'r3', item: 3, user: '1', expiresAt: 4000 },
        ],
      }, 3000),
    undefined,
  ],
  ['loaded: sold stays sold', reserve('5', 1, 'c11', 3000, 6000), { kind: 'unavailable' }],
  ['loaded: a reservation is held', reserve('5', 2, 'c12', 3001, 6001), { kind: 'unavailable' }],
  ['loaded: the holder gets its code', reserve('2', 2, 'c13', 3002, 6002), { kind: 'reserved', code: 'r2', expiresAt: 5000 }],
  ['loaded: purchases and reservations count', reserve('1', 2, 'c14', 3003, 6003), { kind: 'unavailable' }],
  ['loaded: user 1 at the limit', counts(3004), { sold: 1, reserved: 2 }],
  ['loaded: r3 expires, user 1 is under the limit again', reserve('6', 3, 'c15', 4000, 7000), { kind: 'reserved', code: 'c15', expiresAt: 7000 }],
  ['loaded: purchase', purchase('r2', 4001), { kind: 'purchased', item: 2, user: '2' }],
];

async function runSteps(hot: HotState): Promise<void> {
  for (const [name, step, want] of STEPS) assert.deepEqual(await step(hot), want, name);
}

test('hot state, in process: every step of the state machine', async () => {
  await runSteps(new MemoryHotState());
});

test('hot state, Redis scripts: the same steps, the same answers', { skip: redisGate.skip }, async () => {
  const rt = createRuntime({ name: 'hot-test', logger: silentLogger(), defaultMetrics: false });
  const prefix = `t:${uniqueName('hot')}`;
  const hot = await openRedisHotState(rt, { url: redisGate.url, prefix });
  try {
    await runSteps(hot);
  } finally {
    await rt.lifecycle.shutdown();
    await deleteKeys(prefix);
  }
});

test('hot state, Redis scripts: atomic under concurrency', { skip: redisGate.skip }, async () => {
  const rt = createRuntime({ name: 'hot-test', logger: silentLogger(), defaultMetrics: false });
  const prefix = `t:${uniqueName('hotrace')}`;
  const hot = await openRedisHotState(rt, { url: redisGate.url, prefix });
  const sale: SaleTerms = { ...SALE, items: 50, userLimit: 3 };
  try {
    await hot.load(sale, EMPTY, 0);
    const now = 1000;
    const one = await Promise.all(
      Array.from({ length: 50 }, (_, u) =>
        hot.reserve(sale, { user: String(u + 1), item: 1, code: `a${u}`, now, expiresAt: 9000 }),
      ),
    );
    assert.equal(
      one.filter((r) => r.kind === 'reserved').length,
      1,
      'one item, 50 users at once: one reservation',
    );
    const mine = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hot.reserve(sale, { user: '99', item: i + 2, code: `b${i}`, now, expiresAt: 9000 }),
      ),
    );
    assert.equal(
      mine.filter((r) => r.kind === 'reserved').length,
      3,
      'one user, 20 items at once: the limit of 3',
    );
    const code = (mine.find((r) => r.kind === 'reserved') as { code: string }).code;
    const buys = await Promise.all(Array.from({ length: 10 }, () => hot.purchase(sale, code, now + 1)));
    assert.equal(
      buys.filter((r) => r.kind === 'purchased').length,
      1,
      'one code, 10 purchases at once: one sale',
    );
    assert.equal(buys.filter((r) => r.kind === 'used').length, 9);
  } finally {
    await rt.lifecycle.shutdown();
    await deleteKeys(prefix);
  }
});

test('hot state, Redis scripts: reservations of two sales sent at once each reach their own sale', {
  skip: redisGate.skip,
}, async () => {
  const rt = createRuntime({ name: 'hot-test', logger: silentLogger(), defaultMetrics: false });
  const prefix = `t:${uniqueName('hottwo')}`;
  const hot = await openRedisHotState(rt, { url: redisGate.url, prefix });
  const a: SaleTerms = { ...SALE, id: 2000 };
  const b: SaleTerms = { ...SALE, id: 3000, items: 1 };
  try {
    await hot.load(a, EMPTY, 0);
    await hot.load(b, { sold: [{ item: 1, user: '9' }], reserved: [] }, 0);
    // Added in one event-loop turn, all five go in one batch that holds both sales.
    const got = await Promise.all([
      hot.reserve(a, { user: '1', item: 1, code: 'a1', now: 1000, expiresAt: 5000 }),
      hot.reserve(a, { user: '2', item: 1, code: 'a2', now: 1000, expiresAt: 5000 }),
      hot.reserve(b, { user: '1', item: 1, code: 'b1', now: 1000, expiresAt: 5000 }),
      hot.reserve(a, { user: '2', item: 2, code: 'a3', now: 1000, expiresAt: 5000 }),
      hot.reserve(b, { user: '3', item: 2, code: 'b2', now: 1000, expiresAt: 5000 }),
    ]);
    assert.deepEqual(got, [
      { kind: 'reserved', code: 'a1', expiresAt: 5000 },
      { kind: 'unavailable' },
      { kind: 'sold_out' },
      { kind: 'reserved', code: 'a3', expiresAt: 5000 },
      { kind: 'sold_out' },
    ]);
    assert.deepEqual(await hot.counts(a, 1000), { sold: 0, reserved: 2 });
    assert.deepEqual(await hot.counts(b, 1000), { sold: 1, reserved: 0 });
  } finally {
    await rt.lifecycle.shutdown();
    await deleteKeys(prefix);
  }
});
