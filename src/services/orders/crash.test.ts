import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { testBackends } from '../../testing/backends.js';
import { childEnv } from '../../testing/env.js';
import { needService } from '../../testing/services.js';
import { missingFrom, waitFor } from '../../testing/wait.js';
import { sendConcurrently } from './testing/closed-loop.js';
import { storedOrders } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

const ARGS = [
  'serve',
  'orders',
  '--port',
  '0',
  '--mode',
  'queue',
  '--workers',
  '4',
  '--process-rps',
  '200',
  '--work-ms',
  '1',
];
const CONCURRENCY = 32;

test('queue: SIGKILL mid-stream loses no acknowledged order; every extra row is a request the kill cut off', {
  skip: pgGate.skip || natsGate.skip,
  timeout: 90_000,
}, async (t) => {
  const backends = testBackends('crash');
  let svc: ChildService | undefined;
  try {
    svc = await spawnPeaklab(ARGS, { env: childEnv(backends.env) });
    let killed = false;
    const url = svc.url as string;
    const acked: string[] = [];
    // Each request carries its own Idempotency-Key, so the ids of those cut off by the kill are known.
    const load = sendConcurrently([url], 4000, CONCURRENCY, () => killed, acked);
    // Kill mid-stream, once a good part is acknowledged and the workers (200/s) are behind the intake.
    await waitFor(async () => acked.length >= 1500, 30_000, 10);
    killed = true;
    await svc.stop('SIGKILL');
    const { ok, failed } = await load;
    assert.ok(ok.length >= 500, `a good part was acknowledged before the kill (${ok.length})`);
    assert.ok(failed.length <= CONCURRENCY, `only requests in flight failed (${failed.length})`);

    const before = await storedOrders(backends.schema);
    assert.ok(
      before.size < ok.length,
      `a backlog was waiting at the kill (${before.size} of ${ok.length} processed)`,
    );

    svc = await spawnPeaklab(ARGS, { env: childEnv(backends.env) });
    const drained = await waitFor(
      async () => missingFrom(await storedOrders(backends.schema), ok).length === 0,
      45_000,
      500,
    );
    await new Promise((r) => setTimeout(r, 500)); // room for a (wrong) extra row to land
    const rows = await storedOrders(backends.schema);
    const missing = missingFrom(rows, ok);
    assert.ok(drained, `every acknowledged order is processed after the restart (${missing.length} missing)`);
    const okSet = new Set(ok);
    const failedSet = new Set(failed);
    const extra = [...rows.keys()].filter((id) => !okSet.has(id));
    t.diagnostic(
      `acked ${ok.length}, failed ${failed.length}, processed at kill ${before.size}, extra rows ${extra.length}`,
    );
    for (const id of extra) {
      assert.ok(failedSet.has(id), `extra row ${id} is an order whose request errored at the kill`);
    }
    assert.ok(extra.length <= CONCURRENCY, `no more extra rows (${extra.length}) than requests in flight`);
  } finally {
    await svc?.stop('SIGTERM');
    await backends.cleanup();
  }
});
