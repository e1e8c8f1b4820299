import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { isPeaklabError } from '../../shared/errors.js';
import { needService, uniqueName } from '../../testing/services.js';
import { CounterError, type CounterErrorCode } from './errors.js';
import { RedisStore } from './redis-store.js';
import { startCounter } from './service.js';
import { createIncrementer } from './strategy.js';
import { INT64_MAX } from './total.js';

const gate = await needService('redis');
const clients: Redis[] = [];
after(() => {
  for (const c of clients) c.disconnect();
});

function client(opts: { stringNumbers?: boolean } = {}): Redis {
  const c = new Redis(gate.url, { stringNumbers: opts.stringNumbers ?? true, maxRetriesPerRequest: 1 });
  clients.push(c);
  return c;
}

/** Runs `fn` with a store on a fresh key, deleted afterwards. */
async function withStore(fn: (store: RedisStore, redis: Redis, key: string) => Promise<void>): Promise<void> {
  const redis = client();
  const key = uniqueName('counter_store');
  try {
    await fn(new RedisStore({ redis, key, timeoutMs: 2000 }), redis, key);
  } finally {
    await redis.del(key);
  }
}

function codeOf(err: unknown): CounterErrorCode | undefined {
  return err instanceof CounterError ? err.code : undefined;
}

test('GET/SET/INCRBY on a real key: absent is 0, totals above 2^53 stay exact', { skip: gate.skip }, () =>
  withStore(async (store, redis, key) => {
    assert.equal(await store.read(), 0n);
    await store.write(2n ** 60n);
    assert.equal(await redis.get(key), '1152921504606846976');
    assert.equal(await store.add(3n), 2n ** 60n + 3n);
    assert.deepEqual(await store.addEach([1n, 0n, 10n]), [2n ** 60n + 4n, 2n ** 60n + 4n, 2n ** 60n + 14n]);
    assert.equal(await store.read(), 2n ** 60n + 14n);
  }),
);

test("INCRBY's overflow is OUT_OF_RANGE; in a pipeline only that increment fails", { skip: gate.skip }, () =>
  withStore(async (store, redis, key) => {
    await store.write(INT64_MAX - 5n);
    await assert.rejects(store.add(6n), (e: unknown) => codeOf(e) === 'OUT_OF_RANGE');
    const each = await store.addEach([2n, 10n, 3n]);
    assert.equal(each[0], INT64_MAX - 3n);
    assert.equal(codeOf(each[1]), 'OUT_OF_RANGE');
    assert.equal(each[2], INT64_MAX);
    assert.equal(await redis.get(key), INT64_MAX.toString());
    // The same through inputq over Redis: the owner's pipeline answers each caller.
    await store.write(INT64_MAX - 5n);
    const inc = createIncrementer('inputq', store, { capacity: 100, batchMax: 100 });
    const results = await Promise.allSettled([inc.increment(2), inc.increment(10), inc.increment(3)]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : codeOf(r.reason))),
      [INT64_MAX - 3n, 'OUT_OF_RANGE', INT64_MAX],
    );
    await inc.stop(1000);
  }),
);

test('a key holding something else is STORE_FAILED, not a wrong total', { skip: gate.skip }, () =>
  withStore(async (store, redis, key) => {
    await redis.set(key, 'banana');
    await assert.rejects(store.read(), (e: unknown) => codeOf(e) === 'STORE_FAILED');
    await assert.rejects(store.add(1n), (e: unknown) => codeOf(e) === 'STORE_FAILED');
    await redis.set(key, '99999999999999999999');
    await assert.rejects(store.read(), (e: unknown) => codeOf(e) === 'STORE_FAILED');
  }),
);

test('a client without stringNumbers is refused: INCRBY replies above 2^53 would be rounded', () => {
  const redis = new Redis({ lazyConnect: true });
  assert.throws(
    () => new RedisStore({ redis, key: 'k', timeoutMs: 100 }),
    (err: unknown) => isPeaklabError(err, 'PL_CONFIG_INVALID'),
  );
  redis.disconnect();
});

test('a Redis that accepts and never answers: every command fails STORE_FAILED within its timeout', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const redis = new Redis({ port, host: '127.0.0.1', stringNumbers: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const store = new RedisStore({ redis, key: 'k', timeoutMs: 200 });
  try {
    for (const op of [
      () => store.read(),
      () => store.write(1n),
      () => store.add(1n),
      () => store.addEach([1n]),
    ]) {
      const t0 = Date.now();
      await assert.rejects(
        op(),
        (e: unknown) => codeOf(e) === 'STORE_FAILED' && /timed out after 200 ms/.test(String(e)),
      );
      assert.ok(Date.now() - t0 < 2000);
    }
    // Connecting to it for the service fails clearly, within the bound, too.
    const t0 = Date.now();
    await assert.rejects(
      startCounter({
        mode: 'atomic',
        store: 'redis',
        redisUrl: `redis://127.0.0.1:${port}`,
        redisTimeout: 300,
        port: 0,
        metricsPort: 0,
      }),
      (err: unknown) => isPeaklabError(err, 'PL_BACKEND_UNAVAILABLE'),
    );
    assert.ok(Date.now() - t0 < 3000);
  } finally {
    redis.disconnect();
    for (const s of sockets) s.destroy();
    silent.close();
  }
});
