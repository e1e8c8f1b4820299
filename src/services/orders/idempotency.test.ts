import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { needService } from '../../testing/services.js';
import {
  GOOD_ORDER,
  postOrder,
  rowCounts,
  startTestService,
  testBackends,
  waitFor,
} from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

for (const mode of ['direct', 'queue'] as const) {
  const skip = pgGate.skip || (mode === 'queue' && natsGate.skip);
  test(`idempotency (${mode}): the same Idempotency-Key twice gives one row and the same id`, {
    skip,
  }, async () => {
    const backends = testBackends(`idem_${mode}`);
    const svc = await startTestService(backends, { mode, workMs: '0', processRps: '0' });
    try {
      const headers = { 'content-type': 'application/json', 'idempotency-key': randomUUID() };
      const first = await postOrder(svc.url, GOOD_ORDER, headers);
      // A sequential retry, then two racing retries.
      const second = await postOrder(svc.url, GOOD_ORDER, headers);
      const racing = await Promise.all([
        postOrder(svc.url, GOOD_ORDER, headers),
        postOrder(svc.url, GOOD_ORDER, headers),
      ]);
      const other = await postOrder(svc.url, GOOD_ORDER, { ...headers, 'idempotency-key': randomUUID() });
      for (const r of [first, second, ...racing, other]) assert.equal(r.status, 200);
      const id = first.body.id as string;
      for (const r of [second, ...racing]) assert.equal(r.body.id, id, 'a retry gets the same id');
      assert.notEqual(other.body.id, id, 'another key is another order');

      const drained = await waitFor(async () => (await rowCounts(backends.schema)).size >= 2, 10_000);
      assert.ok(drained, 'both orders were processed');
      await new Promise((r) => setTimeout(r, 300)); // room for a (wrong) second row to appear
      const rows = await rowCounts(backends.schema);
      assert.deepEqual(
        [...rows.entries()].sort(),
        [
          [id, 1],
          [other.body.id as string, 1],
        ].sort(),
      );
    } finally {
      await svc.close();
      await backends.cleanup();
    }
  });
}
