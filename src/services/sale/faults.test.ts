import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_ENV } from '../../testing/env.js';
import { needService } from '../../testing/services.js';
import { startTcpProxy, type TcpProxy } from '../../testing/tcp-proxy.js';
import { SaleClient } from './testing/client.js';
import { auditOf, type SaleBackends, saleBackends, startTestSale } from './testing/harness.js';

const pgGate = await needService('postgres');
const redisGate = await needService('redis');
const skip = pgGate.skip || redisGate.skip;

/** A proxy in front of the test's Postgres or Redis, and the backends' env pointing at it. */
async function behindProxy(backends: SaleBackends, which: 'DATABASE_URL' | 'REDIS_URL'): Promise<TcpProxy> {
  const url = new URL(which === 'REDIS_URL' ? TEST_ENV.redisUrl : TEST_ENV.databaseUrl);
  const proxy = await startTcpProxy(url.hostname, Number(url.port || (which === 'REDIS_URL' ? 6379 : 5432)));
  url.host = `127.0.0.1:${proxy.port}`;
  backends.env[which] = url.href;
  return proxy;
}

/** Runs `fn` and resolves with its result and how long it took (ms). */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await fn();
  return [result, Date.now() - started];
}

for (const which of ['REDIS_URL', 'DATABASE_URL'] as const) {
  const name = which === 'REDIS_URL' ? 'Redis' : 'Postgres';
  test(`faults: a stalled ${name} is a 503 within its timeout, and the sale resumes with it`, {
    skip,
    timeout: 60_000,
  }, async () => {
    const backends = saleBackends('faults');
    const proxy = await behindProxy(backends, which);
    const svc = await startTestSale(backends, { items: '5', redisTimeout: '300ms', dbQueryTimeout: '500ms' });
    const client = new SaleClient(svc.url, 4);
    try {
      assert.equal((await client.checkout(1, 1)).status, 200);
      proxy.stall();
      const [answer, took] = await timed(() => client.checkout(2, 2));
      assert.deepEqual(answer, { status: 503, body: { error: 'unavailable' } });
      assert.ok(took < 4000, `answered within the timeout (${took} ms)`);
      const ready = await client.send('GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.match(String(ready.body.reason), which === 'REDIS_URL' ? /^redis: / : /^postgres: /);
      proxy.resume();
      let again = await client.checkout(2, 2);
      // A pooled connection the stall broke may fail once more before the pool replaces it.
      if (again.status === 503) again = await client.checkout(2, 2);
      assert.equal(again.status, 200, 'serving again');
      const audit = await auditOf(backends);
      if (which === 'REDIS_URL') {
        assert.deepEqual(
          audit.checkoutsByResult,
          { reserved: 2 },
          'nothing reached the database: not recorded',
        );
      } else {
        // The stalled INSERT reaches Postgres when the network resumes, and may commit after the
        // client gave up on it: a 503 after a database timeout means "not known to be recorded".
        assert.ok(
          [2, 3].includes(audit.checkoutsByResult.reserved ?? 0),
          JSON.stringify(audit.checkoutsByResult),
        );
      }
    } finally {
      proxy.resume();
      await client.close();
      await svc.close();
      await proxy.cut();
      await backends.cleanup();
    }
  });
}
