import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readConfig } from '../../config/mod.js';
import { capturingLogger } from '../../testing/logger.js';
import { SALE_RULES, SALE_SPEC } from './config.js';
import { auditSale } from './mod.js';
import { startSale } from './service.js';
import { SaleClient } from './testing/client.js';
import { assertInvariants } from './testing/harness.js';

test('embedded backends: PGlite and the in-process store, said so at start; a restart continues the sale', {
  timeout: 120_000,
}, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'peaklab-sale-'));
  try {
    // No DATABASE_URL, no REDIS_URL: the embedded defaults.
    const cfg = readConfig(
      SALE_SPEC,
      { port: '0', items: '5', userLimit: '2' },
      { DATA_DIR: dataDir },
      SALE_RULES,
    );
    const lines: Array<Record<string, unknown>> = [];
    let svc = await startSale(cfg, capturingLogger(lines));
    const backends = lines.find((l) => l.event === 'backends');
    assert.match(String(backends?.ledger), /^embedded PGlite in .*rows survive a restart/);
    assert.match(
      String(backends?.hot),
      /^in-process store: .*rebuilt from the database at start; one process per sale/,
    );
    let client = new SaleClient(svc.url, 2);
    const kept = await client.checkout(1, 1);
    const bought = await client.checkout(1, 2);
    assert.equal((await client.purchase(String(bought.body.code))).status, 200);
    assert.deepEqual(await client.checkout(1, 3), { status: 429, body: { error: 'user_limit_reached' } });
    await client.close();
    assert.equal((await svc.close()).clean, true);

    // The in-process state died with the service; the next one rebuilds it from PGlite.
    svc = await startSale(cfg, capturingLogger([]));
    client = new SaleClient(svc.url, 2);
    assert.deepEqual(await client.checkout(1, 3), { status: 429, body: { error: 'user_limit_reached' } });
    assert.deepEqual(await client.checkout(2, 1), { status: 409, body: { error: 'item_unavailable' } });
    assert.equal(
      (await client.purchase(String(kept.body.code))).status,
      200,
      'a code from before the restart',
    );
    const sale = await client.sale();
    assert.equal(sale.sold, 2);
    await client.close();
    await svc.close();

    const audit = await auditSale({ dataDir }, { answeredCheckouts: 5 });
    assert.ok(audit);
    assertInvariants(audit, false);
    assert.equal(audit.sold, 2);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
