import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from '../../config/mod.js';
import { silentLogger } from '../../shared/logger.js';
import { testBackends, withJsm } from '../../testing/backends.js';
import { scrape, seriesValue } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { waitFor } from '../../testing/wait.js';
import { ORDER_CONSUMER } from './adapters/queue.js';
import { SERVE_SPEC, WORKER_SPEC } from './config.js';
import { startOrders } from './service.js';
import { postOrder, startTestService } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

test('queue metrics (JetStream): stream, consumer, backlog age and dead letters, polled about once a second', {
  skip: pgGate.skip || natsGate.skip,
  timeout: 60_000,
}, async () => {
  const backends = testBackends('qmetrics');
  const { stream } = backends;
  const dlq = `${stream}_DLQ`;
  const consumer = { stream, consumer: ORDER_CONSUMER };
  // Intake only: the orders wait in the stream until a worker comes.
  const intake = await startTestService(backends, { mode: 'queue', workers: '0' });
  const read = async () => {
    const text = await scrape(intake.url);
    return (name: string, labels: Record<string, string> = {}) => seriesValue(text, name, labels);
  };
  try {
    let m = await read();
    assert.equal(m('orders_queue_oldest_age_seconds'), 0, 'no order waiting: age 0');
    assert.equal(m('orders_dlq_depth'), 0);
    assert.equal(m('jetstream_stream_messages', { stream }), 0);
    assert.equal(m('jetstream_consumer_pending_messages', consumer), 0);

    for (let i = 0; i < 5; i++) assert.equal((await postOrder(intake.url)).status, 200);
    await withJsm((_jsm, js) => js.publish(`${dlq}.dead`, 'a dead letter'));
    const polled = await waitFor(async () => {
      m = await read();
      return m('jetstream_stream_messages', { stream }) === 5 && m('orders_dlq_depth') === 1;
    }, 5000);
    assert.ok(polled, 'the next poll saw the orders and the dead letter');
    assert.ok(m('jetstream_stream_bytes', { stream }) > 0);
    assert.equal(m('jetstream_stream_messages', { stream: dlq }), 1);
    assert.equal(m('jetstream_consumer_pending_messages', consumer), 5, 'none delivered yet');
    assert.equal(m('jetstream_consumer_ack_pending_messages', consumer), 0);
    assert.equal(m('jetstream_consumer_redelivered_messages', consumer), 0);
    assert.equal(m('orders_queue_depth'), 5);
    const aged = await waitFor(async () => (await read())('orders_queue_oldest_age_seconds') >= 1, 5000);
    assert.ok(aged, 'the oldest order’s age grows while it waits');

    // A worker drains the stream: the backlog's age and the consumer's counts fall to 0.
    const cfg = readConfig(
      WORKER_SPEC,
      { port: '0', workers: '2', processRps: '0', workMs: '0' },
      backends.env,
    );
    const worker = await startOrders(cfg, silentLogger(), false);
    try {
      const drained = await waitFor(async () => {
        const w = await scrape(worker.url);
        return (
          seriesValue(w, 'jetstream_stream_messages', { stream }) === 0 &&
          seriesValue(w, 'jetstream_consumer_pending_messages', consumer) === 0 &&
          seriesValue(w, 'jetstream_consumer_ack_pending_messages', consumer) === 0 &&
          seriesValue(w, 'orders_queue_oldest_age_seconds') === 0 &&
          seriesValue(w, 'orders_dlq_depth') === 1
        );
      }, 10_000);
      assert.ok(drained, 'the worker sees the stream drained and the one dead letter');
    } finally {
      await worker.close();
    }

    // The stream disappears under the poller: /metrics still answers, with the last values.
    await withJsm((jsm) => jsm.streams.delete(stream));
    await new Promise((r) => setTimeout(r, 1500));
    const res = await fetch(`${intake.url}/metrics`);
    assert.equal(res.status, 200, 'a failed poll never breaks a scrape');
    assert.ok(Number.isFinite(seriesValue(await res.text(), 'jetstream_stream_messages', { stream })));
  } finally {
    await intake.close();
    await backends.cleanup();
  }
});

test('queue metrics (in-process queue): backlog age while orders wait, dead letters counted', {
  skip: pgGate.skip,
  timeout: 60_000,
}, async () => {
  const backends = testBackends('qmetricsmem');
  // No NATS_URL: the in-process queue. 5 per second against a burst of 20, and product 9 always fails.
  const cfg = readConfig(
    SERVE_SPEC,
    {
      port: '0',
      mode: 'queue',
      workers: '2',
      processRps: '5',
      workMs: '0',
      failProduct: '9',
      maxAttempts: '1',
    },
    { ...backends.env, NATS_URL: '' },
  );
  const svc = await startOrders(cfg, silentLogger(), true);
  try {
    for (let i = 0; i < 20; i++) assert.equal((await postOrder(svc.url)).status, 200);
    assert.equal((await postOrder(svc.url, { product_id: 9, count: 1, username: 'p' })).status, 200);
    await new Promise((r) => setTimeout(r, 1200));
    const busy = await scrape(svc.url);
    assert.ok(
      seriesValue(busy, 'orders_queue_oldest_age_seconds') >= 1,
      'the oldest order has waited a second',
    );
    assert.ok(seriesValue(busy, 'orders_queue_depth') > 0);
    assert.equal(
      seriesValue(busy, 'jetstream_stream_messages'),
      Number.NaN,
      'no JetStream metrics without NATS',
    );
    const idle = await waitFor(async () => {
      const text = await scrape(svc.url);
      return (
        seriesValue(text, 'orders_queue_depth') === 0 &&
        seriesValue(text, 'orders_queue_oldest_age_seconds') === 0 &&
        seriesValue(text, 'orders_dlq_depth') === 1
      );
    }, 15_000);
    assert.ok(idle, 'drained: age 0, one dead letter');
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});
