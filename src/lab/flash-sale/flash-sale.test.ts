import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../load/testing/cli.js';
import { withPg } from '../../testing/backends.js';
import { TEST_ENV } from '../../testing/env.js';
import { deleteKeys } from '../../testing/redis.js';
import { needService } from '../../testing/services.js';
import type { Progress } from '../progress.js';
import { defaultDurationMs, readFlashSaleSettings } from './config.js';
import { runFlashSale } from './run.js';
import { saleIntervalFor } from './sale-interval.js';
import type { FlashSaleResult } from './types.js';

const pgGate = await needService('postgres');
const redisGate = await needService('redis');

const quiet: Progress = { update() {}, note() {}, done() {} };
const sum = (xs: Record<string, number>) => Object.values(xs).reduce((a, b) => a + b, 0);

test('flash-sale on Postgres and Redis: the audit holds and every count adds up', {
  skip: pgGate.skip || redisGate.skip,
  timeout: 120_000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'peaklab-flash-'));
  const env = { DATABASE_URL: TEST_ENV.databaseUrl, REDIS_URL: TEST_ENV.redisUrl };
  const settings = readFlashSaleSettings(
    { out, items: '150', rate: '150', userLimit: '3', seed: '7' },
    { env, cwd: out, now: new Date() },
  );
  let result: FlashSaleResult | undefined;
  try {
    ({ result } = await runFlashSale(settings, { env, progress: quiet }));
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as FlashSaleResult;
    assert.equal(r.backends.database, 'postgres');
    assert.equal(r.backends.hotPath, 'redis');
    // Every invariant is a named boolean, and holds.
    assert.deepEqual(Object.keys(r.audit).sort(), [
      'checkoutsPersisted',
      'codesSingleUse',
      'noItemSoldTwice',
      'noOversell',
      'noUserOverLimit',
      'purchasesMatchCheckouts',
      'soldEqualsItems',
    ]);
    for (const [k, v] of Object.entries(r.audit))
      assert.equal(v, true, `${k}: ${JSON.stringify(r.auditCounts)}`);
    for (const [k, v] of Object.entries(r.identities)) assert.equal(v, true, `identity ${k}`);
    // The identities, recomputed here from the raw numbers.
    const f = r.flows.summary;
    assert.equal(f.scheduled, f.started + f.dropped);
    assert.equal(f.started, f.ok + f.failed + (f.unfinished ?? 0));
    assert.equal(f.scheduled, (150 * settings.durationMs) / 1000);
    const [checkout, purchase] = ['checkout', 'purchase'].map((n) => r.steps.find((s) => s.name === n));
    assert.ok(checkout && purchase);
    assert.equal(purchase.status['200'], 150);
    assert.equal(r.auditCounts.sold, 150);
    assert.equal(r.auditCounts.checkouts, r.checkoutsAnswered);
    assert.equal(r.checkoutsAnswered + r.checkoutsUnanswered, checkout.started);
    assert.ok(r.auditCounts.maxPerUser <= 3);
    // Each flow starts with one checkout; a flow buys at most once; every flow's one outcome.
    assert.ok(checkout.started >= f.started);
    assert.equal(f.ok, purchase.ok);
    // The outcome mix counts every answer that is not a purchase's 200 by its error code.
    assert.equal(sum(r.outcomes), checkout.completed + purchase.completed - (checkout.status['200'] ?? 0));
    assert.ok((r.outcomes['checkout 409 sold_out'] ?? 0) > 0, JSON.stringify(r.outcomes));
    assert.equal(r.sale.soldOutAfterS !== null, true);
    // The errors file: one line per flow that did not buy.
    const lines = readFileSync(r.errorsFile, 'utf8').trim().split('\n');
    assert.equal(lines.length, f.failed);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /Invariant audit/);
    assert.match(html, /checkoutsPersisted/);
    assert.equal(result.answers.length, 3);
  } finally {
    const schema = result?.service.schema;
    if (schema) await withPg((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    if (result?.service.redisPrefix) await deleteKeys(result.service.redisPrefix).catch(() => {});
  }
});

test('flash-sale settings: --quick defaults, bad values in one line, a sale that outlasts the run', async () => {
  const bad = await runCli(['lab', 'flash-sale', '--items', '0', '--rate', 'lots']);
  assert.equal(bad.code, 2, bad.err);
  assert.match(bad.err.trim(), /^peaklab: .*--items.*--rate.*\(PL_CONFIG_INVALID\)$/);
  const env = { env: {}, cwd: '/tmp', now: new Date('2026-01-02T03:04:05Z') };
  const quick = readFlashSaleSettings({ quick: true }, env);
  assert.equal(quick.items, 1000);
  assert.equal(quick.durationMs, defaultDurationMs(1000, quick.rate));
  assert.ok(quick.durationMs < 60_000);
  assert.match(quick.outDir, /lab-out\/flash-sale-20260102-030405$/);
  assert.equal(readFlashSaleSettings({ quick: true, items: '50' }, env).items, 50);
  assert.throws(
    () => readFlashSaleSettings({ items: '0', rate: 'lots' }, env),
    (e: Error & { code?: string }) =>
      e.code === 'PL_CONFIG_INVALID' && /items/.test(e.message) && /rate/.test(e.message),
  );
  // 16:59:30 leaves 30 s of an hourly sale: the lab takes 2-hourly sales (they end at 18:00).
  const t = Date.parse('2026-01-02T16:59:30Z');
  assert.equal(saleIntervalFor(t, 60_000), 7200);
  assert.equal(saleIntervalFor(Date.parse('2026-01-02T16:00:00Z'), 60_000), 3600);
});
