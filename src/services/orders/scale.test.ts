import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { testBackends } from '../../testing/backends.js';
import { childEnv } from '../../testing/env.js';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { missingFrom, waitFor } from '../../testing/wait.js';
import { sendConcurrently } from './testing/closed-loop.js';
import { processedCount, storedOrders } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

const INTAKE = ['serve', 'orders', '--port', '0', '--mode', 'queue', '--workers', '0'];
const WORKER = ['worker', 'orders', '--port', '0', '--workers', '4', '--process-rps', '0', '--work-ms', '2'];
const ORDERS = 900;

test('queue: two intakes and three workers on one stream process every order exactly once', {
  skip: pgGate.skip || natsGate.skip,
  timeout: 90_000,
}, async (t) => {
  const backends = testBackends('scale');
  const children: ChildService[] = [];
  try {
    // All five start at once: stream, consumer and schema creation must survive the race.
    const started = await Promise.all([
      ...[1, 2].map(() => spawnPeaklab(INTAKE, { env: childEnv(backends.env) })),
      ...[1, 2, 3].map(() => spawnPeaklab(WORKER, { env: childEnv(backends.env) })),
    ]);
    children.push(...started);
    const intakes = started.slice(0, 2).map((c) => c.url as string);
    const workers = started.slice(2).map((c) => c.url as string);

    const { ok, failed } = await sendConcurrently(intakes, ORDERS, 24);
    assert.deepEqual(failed, []);
    assert.equal(new Set(ok).size, ORDERS, 'every order got its own id');
    const drained = await waitFor(
      async () => missingFrom(await storedOrders(backends.schema), ok).length === 0,
      30_000,
      300,
    );
    assert.ok(drained, 'every order was processed');
    const rows = await storedOrders(backends.schema);
    assert.equal(rows.size, ORDERS, 'no row but the orders sent');

    // Exactly once: the workers' successful attempts add up to the orders, so none ran twice.
    const processed = await processedCount(workers);
    const done = await Promise.all(
      workers.map(async (u) => metricValue(await scrape(u), 'work_done_total{status="done"}')),
    );
    t.diagnostic(`done per worker: ${done.join(', ')}; successful attempts ${processed}`);
    assert.equal(processed, ORDERS, 'one successful processing attempt per order');
    assert.equal(
      done.reduce((a, b) => a + b, 0),
      ORDERS,
    );
    assert.equal(await processedCount(intakes), 0, 'intakes with --workers 0 process nothing');

    // Graceful shutdown: every process exits 0 on SIGTERM.
    const codes = await Promise.all(children.splice(0).map((c) => c.stop('SIGTERM')));
    assert.deepEqual(codes, [0, 0, 0, 0, 0]);
  } finally {
    await Promise.all(children.map((c) => c.stop('SIGKILL')));
    await backends.cleanup();
  }
});
