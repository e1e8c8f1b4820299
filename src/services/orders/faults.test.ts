import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testBackends, withJsm, withPg } from '../../testing/backends.js';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { missingFrom, waitFor } from '../../testing/wait.js';
import { ORDER_CONSUMER } from './adapters/queue.js';
import { postOrder, processedCount, startTestService, storedOrders } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');
const skip = pgGate.skip || natsGate.skip;

function streamMessages(stream: string): Promise<number> {
  return withJsm(async (jsm) => (await jsm.streams.info(stream)).state.messages);
}

test('faults: a poison order (--fail-product) is retried, then dead-lettered and counted as an error', {
  skip,
}, async () => {
  const backends = testBackends('poison');
  const maxAttempts = 3;
  const backoffMs = 50;
  const svc = await startTestService(backends, {
    mode: 'queue',
    workMs: '0',
    processRps: '0',
    failProduct: '13',
    maxAttempts: String(maxAttempts),
    backoffMs: String(backoffMs),
  });
  try {
    const sentAt = Date.now();
    const poison = await Promise.all(
      [1, 2, 3].map(() => postOrder(svc.url, { product_id: 13, count: 1, username: 'p' })),
    );
    const fine = await Promise.all(
      [1, 2, 3, 4].map(() => postOrder(svc.url, { product_id: 12, count: 1, username: 'f' })),
    );
    for (const r of [...poison, ...fine]) assert.equal(r.status, 200, 'queue mode accepts before processing');
    const settled = await waitFor(
      async () => metricValue(await scrape(svc.url), 'work_done_total{status="error"}') === poison.length,
      10_000,
    );
    assert.ok(settled, 'every poison order ended as an error');
    const dlq = `${backends.stream}_DLQ`;
    assert.equal(await streamMessages(dlq), poison.length, 'each is in the DLQ once');
    // Backoff before attempt k+1 is backoffMs·2^(k-1): 50 + 100 ms before the third attempt.
    let backoffTotal = 0;
    for (let k = 1; k < maxAttempts; k++) backoffTotal += backoffMs * 2 ** (k - 1);
    const dead = await withJsm(async (jsm) =>
      Promise.all(poison.map((_, i) => jsm.streams.getMessage(dlq, { seq: i + 1 }))),
    );
    const poisonIds = new Set(poison.map((r) => r.body.id));
    for (const m of dead) {
      assert.ok(m !== null);
      assert.equal(m.header.get('Peaklab-Attempts'), String(maxAttempts), 'dead after --max-attempts');
      assert.match(m.header.get('Peaklab-Reason'), /fail-product/);
      assert.ok(poisonIds.has(m.header.get('Nats-Msg-Id')), 'the DLQ dedupe id is the order id');
      const elapsed = m.time.getTime() - sentAt;
      assert.ok(
        elapsed >= backoffTotal,
        `dead-lettered after the backoff (${elapsed} ms >= ${backoffTotal})`,
      );
    }
    const text = await scrape(svc.url);
    assert.equal(metricValue(text, 'work_done_total{status="done"}'), fine.length);
    assert.equal(await processedCount([svc.url]), fine.length, 'each fine order processed once');
    const rows = await storedOrders(backends.schema);
    assert.deepEqual(
      [...rows.keys()].sort(),
      fine.map((r) => r.body.id).sort(),
      'rows: the fine orders only',
    );
    assert.ok(
      await waitFor(async () => (await streamMessages(backends.stream)) === 0, 3000),
      'work queue drained',
    );
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});

test('faults: random failures (--fail-rate 0.5) succeed on a retry and are processed exactly once', {
  skip,
}, async () => {
  const backends = testBackends('flaky');
  const svc = await startTestService(backends, {
    mode: 'queue',
    workMs: '0',
    processRps: '0',
    failRate: '0.5',
    maxAttempts: '30',
    backoffMs: '10',
  });
  try {
    const sent = await Promise.all(Array.from({ length: 40 }, () => postOrder(svc.url)));
    for (const r of sent) assert.equal(r.status, 200);
    const ids = sent.map((r) => r.body.id as string);
    const done = await waitFor(
      async () => missingFrom(await storedOrders(backends.schema), ids).length === 0,
      20_000,
    );
    assert.ok(done, 'every order was eventually processed');
    const rows = await storedOrders(backends.schema);
    assert.equal(rows.size, sent.length, 'no row but the orders sent');
    const retried = [...rows.values()].filter((attempts) => attempts > 1).length;
    // With p = 0.5 per attempt, P(no order of 40 needed a retry) = 2^-40.
    assert.ok(retried > 0, 'some orders needed more than one attempt');
    const text = await scrape(svc.url);
    assert.equal(metricValue(text, 'work_done_total{status="done"}'), sent.length);
    assert.equal(metricValue(text, 'work_done_total{status="error"}'), 0);
    assert.equal(metricValue(text, 'orders_duplicates_total'), 0);
    // A failed attempt is never observed; a successful one twice would be.
    assert.equal(await processedCount([svc.url]), sent.length, 'one successful attempt per order');
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});

test('faults: a database outage is retried in place until it ends, burning no attempts', {
  skip,
}, async () => {
  const backends = testBackends('outage');
  const svc = await startTestService(backends, {
    mode: 'queue',
    workMs: '0',
    processRps: '0',
    maxAttempts: '2',
    backoffMs: '20',
  });
  const table = `"${backends.schema}".orders`;
  try {
    // The table disappears under the workers: every write fails as long as it is away.
    await withPg((c) => c.query(`ALTER TABLE ${table} RENAME TO orders_away`));
    const sent = await Promise.all(Array.from({ length: 10 }, () => postOrder(svc.url)));
    for (const r of sent) assert.equal(r.status, 200, 'JetStream still takes orders');
    await new Promise((r) => setTimeout(r, 800)); // well past 2 attempts with a 20 ms backoff
    assert.equal(metricValue(await scrape(svc.url), 'work_done_total{status="error"}'), 0);
    const written = await withPg((c) =>
      c.query(`SELECT count(*)::int AS n FROM "${backends.schema}".orders_away`),
    );
    assert.equal(written.rows[0].n, 0, 'no write succeeded during the outage');
    await withPg((c) => c.query(`ALTER TABLE "${backends.schema}".orders_away RENAME TO orders`));
    const ids = sent.map((r) => r.body.id as string);
    const done = await waitFor(
      async () => missingFrom(await storedOrders(backends.schema), ids).length === 0,
      10_000,
    );
    assert.ok(done, 'every order was processed once the table was back');
    assert.equal(await streamMessages(`${backends.stream}_DLQ`), 0, 'nothing was dead-lettered');
    const rows = await storedOrders(backends.schema);
    for (const id of ids) assert.equal(rows.get(id), 1, 'the outage did not count as a delivery attempt');
    assert.equal(metricValue(await scrape(svc.url), 'work_done_total{status="done"}'), sent.length);
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});

test('faults: stopping the workers during an outage uses none of the order’s attempts', {
  skip,
  timeout: 60_000,
}, async () => {
  const backends = testBackends('stopattempts');
  const overrides = {
    mode: 'queue',
    workMs: '0',
    processRps: '0',
    maxAttempts: '2',
    backoffMs: '20',
  } as const;
  const consumer = () => withJsm((jsm) => jsm.consumers.info(backends.stream, ORDER_CONSUMER));
  let svc = await startTestService(backends, overrides);
  try {
    await withPg((c) => c.query(`ALTER TABLE "${backends.schema}".orders RENAME TO orders_away`));
    const sent = await Promise.all(Array.from({ length: 4 }, () => postOrder(svc.url)));
    for (const r of sent) assert.equal(r.status, 200);
    // Twice: the workers hold every order through the outage, then the service stops and hands them back.
    for (let round = 0; round < 2; round++) {
      const held = await waitFor(async () => (await consumer()).num_ack_pending === sent.length, 10_000, 50);
      assert.ok(held, `round ${round}: the workers hold every order`);
      await svc.close();
      svc = await startTestService(backends, overrides);
    }
    await withPg((c) => c.query(`ALTER TABLE "${backends.schema}".orders_away RENAME TO orders`));
    const ids = sent.map((r) => r.body.id as string);
    const done = await waitFor(
      async () => missingFrom(await storedOrders(backends.schema), ids).length === 0,
      10_000,
    );
    assert.ok(done, 'every order was processed once the table was back');
    const rows = await storedOrders(backends.schema);
    for (const id of ids) assert.equal(rows.get(id), 1, 'two stops are not two failed attempts');
    assert.equal(await streamMessages(`${backends.stream}_DLQ`), 0, 'nothing was dead-lettered');
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});
