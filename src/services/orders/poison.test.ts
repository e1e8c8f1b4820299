import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { DataRejected } from '../../platform/postgres/errors.js';
import { MemoryWorkQueue } from '../../platform/queue/memory.js';
import { WorkerPool } from '../../platform/queue/worker-pool.js';
import { otelTracer } from '../../platform/telemetry/otel-tracer.js';
import { silentLogger } from '../../shared/logger.js';
import { testBackends, withJsm } from '../../testing/backends.js';
import { TEST_ENV } from '../../testing/env.js';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { waitFor } from '../../testing/wait.js';
import { createOrderMeter } from './adapters/metrics.js';
import { isOrderFault, OrderRejected } from './domain/faults.js';
import { type Order, orderId, type StoredOrder } from './domain/order.js';
import { OrderProcessor } from './domain/processor.js';
import { RatePacer } from './domain/rate-pacer.js';
import { openTestStore, postOrder, startTestService, storedOrders } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

let seq = 0;
function order(username: string, acceptedAt = Date.now()): Order {
  return { id: orderId(username, `poison-${seq++}`), productId: 1, count: 1, username, acceptedAt };
}
const stored = (o: Order): StoredOrder => ({ ...o, processedAt: Date.now(), attempts: 1 });

test('store: a batch with a row Postgres refuses commits the others; save() tells new rows from old', {
  skip: pgGate.skip,
}, async () => {
  const backends = testBackends('batch');
  const { store, close } = await openTestStore(backends.schema, 2);
  try {
    // All saved in one tick, so they share one group-commit batch: the NUL row fails the INSERT.
    const good = Array.from({ length: 9 }, (_, i) => order(`good${i}`));
    const bad = order('nul\u0000name');
    const results = await Promise.allSettled(
      [...good.slice(0, 4), bad, ...good.slice(4)].map((o) => store.save(stored(o))),
    );
    const badResult = results[4];
    assert.equal(badResult?.status, 'rejected');
    const reason = (badResult as PromiseRejectedResult).reason as unknown;
    assert.ok(reason instanceof OrderRejected, 'the bad row fails as the order’s fault');
    assert.ok(reason.cause instanceof DataRejected);
    assert.equal(reason.cause.sqlState, '22021');
    for (const [i, r] of results.entries()) {
      if (i !== 4) assert.deepEqual(r, { status: 'fulfilled', value: true }, `good row ${i} inserted`);
    }
    const rows = await storedOrders(backends.schema);
    assert.deepEqual([...rows.keys()].sort(), good.map((o) => o.id).sort());

    // Again, plus one new id twice in the same batch: only first sightings are new.
    const fresh = order('fresh');
    const again = await Promise.all([...good, fresh, fresh].map((o) => store.save(stored(o))));
    assert.deepEqual(again, [...good.map(() => false), true, false]);
    // A batch with nothing new at all.
    assert.deepEqual(await Promise.all([fresh, good[0] as Order].map((o) => store.save(stored(o)))), [
      false,
      false,
    ]);
  } finally {
    await close();
    await backends.cleanup();
  }
});

test('workers: an order the database refuses is retried --max-attempts times, then dead-lettered; its batch-mates commit', {
  skip: pgGate.skip,
}, async () => {
  const backends = testBackends('refused');
  const { store, close } = await openTestStore(backends.schema, 4);
  const queue = new MemoryWorkQueue<Order>();
  const registry = new Registry();
  const meter = createOrderMeter(registry, queue);
  const processor = new OrderProcessor({
    store,
    pacer: new RatePacer(0),
    workMs: 0,
    faults: { failRate: 0, failProduct: -1 },
    meter,
    tracer: otelTracer('test'),
  });
  const pool = new WorkerPool<Order>({
    source: queue,
    handle: (order, delivery) => processor.process(order, delivery.faults + 1),
    classify: (err) => (isOrderFault(err) ? 'fault' : 'outage'),
    onDeadLettered: () => meter.error.inc(),
    logger: silentLogger(),
    workers: 8,
    maxAttempts: 3,
    backoffMs: 20,
  });
  pool.start();
  try {
    // Straight into the queue, below the HTTP validator: a message that bypassed the intake.
    const good = Array.from({ length: 6 }, (_, i) => order(`w${i}`));
    const bad = order('bad\u0000');
    for (const o of [good[0], bad, ...good.slice(1)]) await queue.publish(o as Order);
    const settled = await waitFor(async () => queue.dead.length === 1 && queue.depth() === 0, 10_000, 20);
    assert.ok(settled, 'the refused order was dead-lettered');
    assert.equal(queue.dead[0]?.item.id, bad.id);
    assert.equal(queue.dead[0]?.attempts, 3, 'after --max-attempts, not retried forever');
    assert.match(queue.dead[0]?.reason ?? '', /refused/);
    const rows = await storedOrders(backends.schema);
    assert.deepEqual([...rows.keys()].sort(), good.map((o) => o.id).sort());
    const text = await registry.metrics();
    assert.equal(metricValue(text, 'work_done_total{status="done"}'), good.length);
    assert.equal(metricValue(text, 'work_done_total{status="error"}'), 1);
  } finally {
    await pool.stop();
    await close();
    await backends.cleanup();
  }
});

test('queue (JetStream): poison messages that bypassed the intake end in the DLQ as errors; good orders commit', {
  skip: pgGate.skip || natsGate.skip,
}, async () => {
  const backends = testBackends('jspoison');
  const svc = await startTestService(backends, {
    mode: 'queue',
    workMs: '0',
    processRps: '0',
    maxAttempts: '3',
    backoffMs: '20',
  });
  const nc = await connect({ servers: TEST_ENV.natsUrl });
  try {
    const js = jetstream(nc);
    const subject = `${backends.stream}.new`;
    const wire = (o: Order) =>
      JSON.stringify({ id: o.id, product_id: 1, count: 1, username: o.username, accepted_at: o.acceptedAt });
    // Decodes, but Postgres refuses the timestamp (22008): retried, then dead-lettered.
    const farFuture = order('far', 1e300);
    // Not an order: dead-lettered at once, by the source.
    const nul = order('nul\u0000');
    await js.publish(subject, wire(farFuture), { msgID: farFuture.id });
    await js.publish(subject, wire(nul), { msgID: nul.id });
    await js.publish(subject, 'not json', { msgID: 'garbage-1' });
    const fine = await Promise.all(Array.from({ length: 5 }, () => postOrder(svc.url)));
    for (const r of fine) assert.equal(r.status, 200);

    const dlq = `${backends.stream}_DLQ`;
    const settled = await waitFor(
      async () => metricValue(await scrape(svc.url), 'work_done_total{status="error"}') === 3,
      10_000,
    );
    assert.ok(settled, 'all three poison messages counted as errors');
    const dead = await withJsm(async (jsm) => {
      const n = (await jsm.streams.info(dlq)).state.messages;
      return Promise.all(Array.from({ length: n }, (_, i) => jsm.streams.getMessage(dlq, { seq: i + 1 })));
    });
    assert.equal(dead.length, 3);
    const byId = new Map(dead.map((m) => [m?.header.get('Nats-Msg-Id'), m]));
    assert.equal(
      byId.get(farFuture.id)?.header.get('Peaklab-Attempts'),
      '3',
      'refused: after --max-attempts',
    );
    assert.match(byId.get(farFuture.id)?.header.get('Peaklab-Reason') ?? '', /refused/);
    // Undecodable: keyed by stream sequence (2 and 3), after one delivery.
    for (const key of ['seq-2', 'seq-3']) {
      assert.equal(byId.get(key)?.header.get('Peaklab-Attempts'), '1', `${key} dead-lettered at once`);
    }
    const rows = await storedOrders(backends.schema);
    assert.deepEqual([...rows.keys()].sort(), fine.map((r) => r.body.id).sort(), 'good orders committed');
    assert.equal(metricValue(await scrape(svc.url), 'work_done_total{status="done"}'), fine.length);
  } finally {
    await nc.close();
    await svc.close();
    await backends.cleanup();
  }
});
