import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readConfig } from '../../config/mod.js';
import { capturingLogger } from '../../testing/logger.js';
import { metricValue, scrape } from '../../testing/scrape.js';
import { waitFor } from '../../testing/wait.js';
import { SERVE_SPEC } from './config.js';
import { openOrderStore } from './mod.js';
import { startOrders } from './service.js';
import { postOrder } from './testing/harness.js';

test('embedded backends: PGlite + in-process queue, with retries, read back through openOrderStore', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'peaklab-orders-'));
  try {
    // No DATABASE_URL or NATS_URL: the embedded defaults.
    const cfg = readConfig(
      SERVE_SPEC,
      { port: '0', mode: 'queue', workMs: '1', failProduct: '9', maxAttempts: '2', backoffMs: '10' },
      { DATA_DIR: dataDir },
    );
    const lines: Array<Record<string, unknown>> = [];
    const svc = await startOrders(cfg, capturingLogger(lines), true);
    const backends = lines.find((l) => l.event === 'backends');
    assert.match(String(backends?.store), /^embedded PGlite in .*rows survive a restart/);
    assert.match(
      String(backends?.queue),
      /^in-process queue: orders waiting in the queue are lost if this process dies/,
    );
    const ok = await Promise.all(Array.from({ length: 20 }, () => postOrder(svc.url)));
    const poison = await postOrder(svc.url, { product_id: 9, count: 1, username: 'p' });
    for (const r of [...ok, poison]) assert.equal(r.status, 200);
    const settled = await waitFor(async () => {
      const text = await scrape(svc.url);
      return (
        metricValue(text, 'work_done_total{status="done"}') === ok.length &&
        metricValue(text, 'work_done_total{status="error"}') === 1 &&
        metricValue(text, 'orders_queue_depth') === 0
      );
    }, 10_000);
    assert.ok(settled, 'all processed, the poison order dead-lettered, the queue empty');
    await svc.close();

    const store = await openOrderStore({ dataDir });
    const timings = await store.timings();
    await store.close();
    assert.deepEqual(timings.map((r) => r.id).sort(), ok.map((r) => r.body.id).sort());
    for (const r of timings) {
      assert.ok(r.processedAt !== null && r.processedAt >= r.acceptedAt, 'processed after accepted');
      assert.ok(Math.abs(r.acceptedAt - Date.now()) < 60_000, 'epoch milliseconds');
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
