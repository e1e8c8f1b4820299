import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { testBackends, withJsm } from '../../testing/backends.js';
import { childEnv, TEST_ENV } from '../../testing/env.js';
import { needService } from '../../testing/services.js';
import { startTcpProxy, type TcpProxy } from '../../testing/tcp-proxy.js';
import { waitFor } from '../../testing/wait.js';
import { ORDER_CONSUMER } from './adapters/queue.js';
import { orderId } from './domain/order.js';
import { GOOD_ORDER, postOrder, storedOrders } from './testing/harness.js';

/**
 * A Postgres that stops answering without closing (a hung server, a network partition) is the
 * worst case for a client: nothing fails unless the client bounds its own waits. A TCP proxy that
 * stops forwarding plays it.
 */

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

/** The bounds under test, as env vars (each flag has one). */
const BOUNDS = { DB_CONNECT_TIMEOUT: '1s', DB_QUERY_TIMEOUT: '1s', DRAIN_TIMEOUT: '2s' };
/** --drain-timeout plus the close budget (5 s), plus room for a busy machine. */
const DEADLINE_MS = 2000 + 5000 + 3000;

async function proxiedPostgres(): Promise<{ proxy: TcpProxy; url: string }> {
  const pg = new URL(TEST_ENV.databaseUrl);
  const proxy = await startTcpProxy(pg.hostname, Number(pg.port || 5432));
  pg.hostname = '127.0.0.1';
  pg.port = String(proxy.port);
  return { proxy, url: pg.href };
}

/** Headers with an Idempotency-Key, so the order's id is known even when it got no 200. */
const keyed = (key: string) => ({ 'content-type': 'application/json', 'idempotency-key': key });

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await p;
  return { value, ms: Date.now() - started };
}

test('stalled Postgres (direct): requests fail with 503 within the timeout, /readyz says so, SIGTERM exits in time', {
  skip: pgGate.skip,
  timeout: 60_000,
}, async (t) => {
  const backends = testBackends('stall');
  const { proxy, url } = await proxiedPostgres();
  let svc: ChildService | undefined;
  try {
    svc = await spawnPeaklab(
      ['serve', 'orders', '--port', '0', '--mode', 'direct', '--process-rps', '0', '--work-ms', '0'],
      { env: childEnv({ ...backends.env, ...BOUNDS, DATABASE_URL: url }) },
    );
    const base = svc.url as string;
    const first = await postOrder(base);
    assert.equal(first.status, 200);

    proxy.stall();
    const refused = await timed(postOrder(base, GOOD_ORDER, keyed('refused')));
    assert.equal(refused.value.status, 503, 'a write that timed out is not acknowledged');
    assert.deepEqual(refused.value.body, { result: 'unavailable' });
    assert.ok(refused.ms < 4000, `it failed within the query timeout (${refused.ms} ms)`);

    const ready = await timed(fetch(`${base}/readyz`));
    assert.equal(ready.value.status, 503);
    assert.match(((await ready.value.json()) as { reason: string }).reason, /^postgres: /);
    assert.ok(ready.ms < 4000, `/readyz answered in ${ready.ms} ms`);

    // One request still waiting on the stalled database when the stop begins.
    const inFlight = postOrder(base, GOOD_ORDER, keyed('in-flight')).then(
      (r) => r.status,
      () => 0,
    );
    await new Promise((r) => setTimeout(r, 200));
    const stopped = await timed(svc.stop('SIGTERM'));
    assert.equal(typeof stopped.value, 'number', 'it exited by itself, not by a signal');
    assert.ok(stopped.ms < DEADLINE_MS, `SIGTERM exited within the deadline (${stopped.ms} ms)`);
    assert.notEqual(await inFlight, 200, 'the order in flight was not acknowledged');
    t.diagnostic(
      `503 after ${refused.ms} ms, /readyz 503 after ${ready.ms} ms, SIGTERM exit ${stopped.value} after ${stopped.ms} ms`,
    );
    proxy.resume();
    // A write that timed out may still commit once the database answers again (its bytes were on
    // the wire): that is why a 503 says "retry with the same Idempotency-Key", never "it is lost".
    const rows = [...(await storedOrders(backends.schema)).keys()];
    const known = [
      first.body.id,
      orderId(GOOD_ORDER.username, 'refused'),
      orderId(GOOD_ORDER.username, 'in-flight'),
    ];
    assert.ok(rows.includes(first.body.id as string), 'the acknowledged order is stored');
    for (const id of rows) assert.ok(known.includes(id), `row ${id} is one of the orders sent`);
  } finally {
    proxy.resume();
    await svc?.stop('SIGKILL');
    await proxy.cut();
    await backends.cleanup();
  }
});

test('stalled Postgres (queue): a worker holds an order at most --hold-timeout, SIGTERM exits in time, nothing is lost', {
  skip: pgGate.skip || natsGate.skip,
  timeout: 90_000,
}, async () => {
  const backends = testBackends('stallq');
  const { proxy, url } = await proxiedPostgres();
  let svc: ChildService | undefined;
  let worker: ChildService | undefined;
  try {
    svc = await spawnPeaklab(
      ['serve', 'orders', '--port', '0', '--mode', 'queue', '--workers', '2', '--work-ms', '0'],
      {
        env: childEnv({
          ...backends.env,
          ...BOUNDS,
          DATABASE_URL: url,
          HOLD_TIMEOUT: '2s',
          PROCESS_RPS: '0',
        }),
      },
    );
    proxy.stall();
    const sent = await Promise.all([1, 2, 3].map(() => postOrder(svc?.url as string)));
    for (const r of sent) assert.equal(r.status, 200, 'JetStream still takes orders');
    const consumer = () => withJsm((jsm) => jsm.consumers.info(backends.stream, ORDER_CONSUMER));
    const handedBack = await waitFor(async () => (await consumer()).num_redelivered > 0, 15_000, 250);
    assert.ok(handedBack, 'a held order was handed back and delivered again');

    const stopped = await timed(svc.stop('SIGTERM'));
    assert.equal(typeof stopped.value, 'number');
    assert.ok(stopped.ms < DEADLINE_MS, `SIGTERM exited within the deadline (${stopped.ms} ms)`);

    proxy.resume();
    worker = await spawnPeaklab(['worker', 'orders', '--port', '0', '--process-rps', '0', '--work-ms', '0'], {
      env: childEnv(backends.env),
    });
    const ids = sent.map((r) => r.body.id as string);
    const done = await waitFor(async () => (await storedOrders(backends.schema)).size === ids.length, 20_000);
    assert.ok(done, 'every acknowledged order was processed once Postgres answered again');
    const rows = await storedOrders(backends.schema);
    for (const id of ids) assert.equal(rows.get(id), 1, 'the stall used none of its attempts');
  } finally {
    proxy.resume();
    await Promise.all([svc?.stop('SIGKILL'), worker?.stop('SIGKILL')]);
    await proxy.cut();
    await backends.cleanup();
  }
});
