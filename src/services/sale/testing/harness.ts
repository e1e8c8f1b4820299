import assert from 'node:assert/strict';
import { readConfig } from '../../../config/mod.js';
import { type Logger, silentLogger } from '../../../shared/logger.js';
import { withPg } from '../../../testing/backends.js';
import { TEST_ENV } from '../../../testing/env.js';
import { deleteKeys } from '../../../testing/redis.js';
import { uniqueName } from '../../../testing/services.js';
import type { SaleAudit } from '../adapters/audit.js';
import { SALE_RULES, SALE_SPEC, type SaleConfig } from '../config.js';
import type { Clock } from '../domain/ports.js';
import { type AuditOptions, auditSale } from '../mod.js';
import { type RunningSale, startSale } from '../service.js';

/** A test's own Postgres schema and Redis key prefix, and the env that points a service at them. */
export interface SaleBackends {
  readonly schema: string;
  readonly prefix: string;
  readonly env: Record<string, string>;
  /** Drops the schema and deletes the keys (on the shared Redis, or on `redisUrl`). */
  cleanup(): Promise<void>;
}

export function saleBackends(name: string, redisUrl = TEST_ENV.redisUrl): SaleBackends {
  const schema = uniqueName(name);
  const prefix = `t:${schema}`;
  return {
    schema,
    prefix,
    env: {
      DATABASE_URL: TEST_ENV.databaseUrl,
      REDIS_URL: redisUrl,
      DB_SCHEMA: schema,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    },
    async cleanup() {
      await withPg((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      await deleteKeys(prefix, redisUrl).catch(() => {});
    },
  };
}

/** The service in this process on port 0, with the test's backends and `overrides` as flags. */
export function startTestSale(
  backends: SaleBackends,
  overrides: Partial<Record<keyof SaleConfig, string>>,
  opts: { logger?: Logger; clock?: Clock } = {},
): Promise<RunningSale> {
  const cfg = readConfig(SALE_SPEC, { port: '0', ...overrides }, backends.env, SALE_RULES);
  return startSale(cfg, opts.logger ?? silentLogger(), opts.clock);
}

/** The audit of a sale in the test's schema (the latest when `saleId` is unset). */
export async function auditOf(backends: SaleBackends, opts: AuditOptions = {}): Promise<SaleAudit> {
  const audit = await auditSale({ databaseUrl: TEST_ENV.databaseUrl, schema: backends.schema }, opts);
  assert.ok(audit, 'the ledger holds the sale');
  return audit;
}

/**
 * Asserts every invariant of `audit` holds; `soldEqualsItems` must be `soldOut`. The message
 * carries the whole audit, so a failure shows the counts.
 */
export function assertInvariants(audit: SaleAudit, soldOut: boolean): void {
  const { soldEqualsItems, ...rest } = audit.invariants;
  for (const [name, holds] of Object.entries(rest)) {
    assert.equal(holds, true, `${name} holds: ${JSON.stringify(audit)}`);
  }
  assert.equal(soldEqualsItems, soldOut, `sold ${audit.sold} of ${audit.items} items`);
}

/** Runs `worker(i)` for i in 0..count-1, all at once; rejects with the first failure. */
export async function inParallel(count: number, worker: (i: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => worker(i)));
}

/**
 * A clock for one test: it runs from `startAt` (epoch ms) at the wall clock's pace, and
 * `advance(ms)` jumps it ahead, so expiries and sale boundaries can be reached without waiting.
 */
export function movableClock(startAt: number): Clock & { advance(ms: number): void } {
  const origin = Date.now();
  let skew = 0;
  return {
    now: () => startAt + (Date.now() - origin) + skew,
    advance(ms: number) {
      skew += ms;
    },
  };
}

/**
 * Writes a purchase straight into the ledger, past the service (as a wrong application, or another
 * writer, would), with the checkout row its code needs. Resolves with the code.
 */
export async function injectPurchase(
  backends: SaleBackends,
  sale: { id: number; end: string },
  user: number,
  item: number,
): Promise<string> {
  const code = `injected${user}x${item}`.padEnd(32, '0');
  await withPg(async (c) => {
    const s = `"${backends.schema}"`;
    await c.query(
      `INSERT INTO ${s}.checkouts (id, sale_id, user_id, item_id, result, code, expires_at, attempted_at)
       VALUES ($1, $2, $3, $4, 'reserved', $1, $5, $5::timestamptz - interval '1 minute')`,
      [code, sale.id, user, item, sale.end],
    );
    await c.query(
      `INSERT INTO ${s}.purchases (sale_id, item_id, user_id, code, purchased_at)
       VALUES ($1, $2, $3, $4, $5::timestamptz - interval '30 seconds')`,
      [sale.id, item, user, code, sale.end],
    );
  });
  return code;
}
