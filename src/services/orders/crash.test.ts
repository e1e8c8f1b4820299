import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { needService } from '../../testing/services.js';
import { sendConcurrently } from './testing/closed-loop.js';
import { rowCounts, testBackends, waitFor } from './testing/harness.js';

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

test('queue: SIGKILL mid-stream loses no acknowledged order and processes none twice', {
  skip: pgGate.skip || natsGate.skip,
  timeout: 90_000,
}, async (t) => {
  const backends = testBackends('crash');
  let svc: ChildService | undefined;
  try {
    svc = await spawnPeaklab(ARGS, { env: backends.env });
    let killed = false;
    const url = svc.url as string;
    const acked: string[] = [];
    const load = sendConcurrently([url], 4000, 32, () => killed, acked);
    // Kill mid-stream, once a good part is acknowledged and the workers (200/s) are behind the intake.
    await waitFor(async () => acked.length >= 1500, 30_000, 10);
    killed = true;
    await svc.stop('SIGKILL');
    const { ok, failed } = await load;
    assert.ok(ok.length >= 500, `a good part was acknowledged before the kill (${ok.length})`);

    const before = await rowCounts(backends.schema);
    assert.ok(
      before.size < ok.length,
      `a backlog was waiting at the kill (${before.size} of ${ok.length} processed)`,
    );

    svc = await spawnPeaklab(ARGS, { env: backends.env });
    const okSet = new Set(ok);
    const drained = await waitFor(
      async () => {
        const rows = await rowCounts(backends.schema);
        return ok.every((id) => rows.has(id));
      },
      45_000,
      500,
    );
    await new Promise((r) => setTimeout(r, 500)); // room for a (wrong) duplicate to land
    const rows = await rowCounts(backends.schema);
    const missing = ok.filter((id) => !rows.has(id));
    assert.ok(drained, `every acknowledged order is processed after the restart (${missing.length} missing)`);
    for (const [id, n] of rows) assert.equal(n, 1, `order ${id} has one row`);
    const extra = [...rows.keys()].filter((id) => !okSet.has(id)).length;
    t.diagnostic(
      `acked ${ok.length}, failed ${failed}, processed at kill ${before.size}, extra rows ${extra}`,
    );
    assert.ok(
      extra <= failed,
      `extra rows (${extra}) come only from the ${failed} requests in flight at the kill`,
    );
  } finally {
    await svc?.stop('SIGTERM');
    await backends.cleanup();
  }
});
