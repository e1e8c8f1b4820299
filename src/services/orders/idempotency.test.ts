import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { testBackends } from '../../testing/backends.js';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { missingFrom, waitFor } from '../../testing/wait.js';
import { orderId } from './domain/order.js';
import { GOOD_ORDER, postOrder, startTestService, storedOrders } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

test('idempotency: the order id is scoped by username and key', () => {
  assert.equal(orderId('ann', 'k1'), orderId('ann', 'k1'));
  assert.notEqual(orderId('ann', 'k1'), orderId('bob', 'k1'), "two users' identical keys do not collide");
  assert.notEqual(orderId('ann', 'k1'), orderId('ann', 'k2'));
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  assert.notEqual(orderId('ab', 'c'), orderId('a', 'bc'));
  assert.match(orderId('ann', 'k1'), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

for (const mode of ['direct', 'queue'] as const) {
  const skip = pgGate.skip || (mode === 'queue' && natsGate.skip);
  test(`idempotency (${mode}): the same Idempotency-Key twice gives one row and the same id`, {
    skip,
  }, async () => {
    const backends = testBackends(`idem_${mode}`);
    const svc = await startTestService(backends, { mode, workMs: '0', processRps: '0' });
    try {
      const key = randomUUID();
      const headers = { 'content-type': 'application/json', 'idempotency-key': key };
      const first = await postOrder(svc.url, GOOD_ORDER, headers);
      // A sequential retry, then two racing retries.
      const second = await postOrder(svc.url, GOOD_ORDER, headers);
      const racing = await Promise.all([
        postOrder(svc.url, GOOD_ORDER, headers),
        postOrder(svc.url, GOOD_ORDER, headers),
      ]);
      const other = await postOrder(svc.url, GOOD_ORDER, { ...headers, 'idempotency-key': randomUUID() });
      const otherUser = await postOrder(svc.url, { ...GOOD_ORDER, username: 'someone.else' }, headers);
      for (const r of [first, second, ...racing, other, otherUser]) assert.equal(r.status, 200);
      const id = first.body.id as string;
      assert.equal(id, orderId(GOOD_ORDER.username, key), 'the id derives from username and key');
      for (const r of [second, ...racing]) assert.equal(r.body.id, id, 'a retry gets the same id');
      assert.notEqual(other.body.id, id, 'another key is another order');
      assert.notEqual(otherUser.body.id, id, "another user's same key is another order");

      const want = [id, other.body.id as string, otherUser.body.id as string];
      const drained = await waitFor(
        async () => missingFrom(await storedOrders(backends.schema), want).length === 0,
        10_000,
      );
      assert.ok(drained, 'all three orders were processed');
      await new Promise((r) => setTimeout(r, 300)); // room for a (wrong) extra row to appear
      const rows = await storedOrders(backends.schema);
      assert.deepEqual([...rows.keys()].sort(), want.sort());
      const text = await scrape(svc.url);
      assert.equal(metricValue(text, 'work_done_total{status="done"}'), 3, 'done counts inserted rows only');
      // direct: each retry is processed again and finds its row; queue: JetStream drops the retries.
      assert.equal(metricValue(text, 'orders_duplicates_total'), mode === 'direct' ? 3 : 0);
    } finally {
      await svc.close();
      await backends.cleanup();
    }
  });
}
