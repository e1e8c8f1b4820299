import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { TEST_ENV } from '../../testing/env.js';
import { needService } from '../../testing/services.js';
import {
  metricValue,
  postOrder,
  rowCounts,
  scrape,
  startTestService,
  testBackends,
  waitFor,
  withPg,
} from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');
const skip = pgGate.skip || natsGate.skip;

async function streamMessages(stream: string): Promise<number> {
  const nc = await connect({ servers: TEST_ENV.natsUrl });
  try {
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  } finally {
    await nc.close();
  }
}

test('faults: a poison order (--fail-product) is retried, then dead-lettered and counted as an error', {
  skip,
}, async () => {
  const backends = testBackends('poison');
  const svc = await startTestService(backends, {
    mode: 'queue',
    workMs: '0',
    processRps: '0',
    failProduct: '13',
    maxAttempts: '3',
    backoffMs: '50',
  });
  try {
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
    assert.equal(await streamMessages(`${backends.stream}_DLQ`), poison.length, 'each is in the DLQ once');
    const text = await scrape(svc.url);
    assert.equal(metricValue(text, 'work_done_total{status="done"}'), fine.length);
    const rows = await rowCounts(backends.schema);
    assert.equal(rows.size, fine.length);
    for (const r of poison) assert.equal(rows.has(r.body.id as string), false, 'a poison order has no row');
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
    const done = await waitFor(async () => (await rowCounts(backends.schema)).size === sent.length, 20_000);
    assert.ok(done, 'every order was eventually processed');
    const rows = await rowCounts(backends.schema);
    for (const r of sent) assert.equal(rows.get(r.body.id as string), 1);
    const retried = await withPg(async (c) => {
      const q = await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${backends.schema}".orders WHERE attempts > 1`,
      );
      return Number(q.rows[0]?.n);
    });
    // With p = 0.5 per attempt, P(no order of 40 needed a retry) = 2^-40.
    assert.ok(retried > 0, 'some orders needed more than one attempt');
    const text = await scrape(svc.url);
    assert.equal(metricValue(text, 'work_done_total{status="done"}'), sent.length);
    assert.equal(metricValue(text, 'work_done_total{status="error"}'), 0);
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});

test('faults: a database outage is retried until it ends, never dead-lettered', { skip }, async () => {
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
    const done = await waitFor(async () => (await rowCounts(backends.schema)).size === sent.length, 10_000);
    assert.ok(done, 'every order was processed once the table was back');
    assert.equal(await streamMessages(`${backends.stream}_DLQ`), 0, 'nothing was dead-lettered');
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});
