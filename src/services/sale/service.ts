import type { Logger } from 'pino';
import { startHttpServer } from '../../platform/http/app.js';
import type { ShutdownReport } from '../../platform/lifecycle/lifecycle.js';
import { openSql } from '../../platform/postgres/open.js';
import { createRuntime } from '../../platform/runtime.js';
import { otelTracer } from '../../platform/telemetry/otel-tracer.js';
import { PeaklabError } from '../../shared/errors.js';
import { BODY_LIMIT, SALE_ERROR_BODIES, saleRoutes } from './adapters/http-routes.js';
import { MemoryHotState } from './adapters/memory-hot.js';
import { createSaleMeter } from './adapters/metrics.js';
import { openRedisHotState } from './adapters/redis-hot.js';
import { SqlLedger } from './adapters/sql-ledger.js';
import { SALE_MIGRATIONS } from './adapters/sql-schema.js';
import { CLOSE_BUDGET_MS, type SaleConfig, saleConfigProblems } from './config.js';
import { SaleDesk } from './domain/desk.js';
import { SaleKeeper } from './domain/keeper.js';
import { type Clock, SYSTEM_CLOCK } from './domain/ports.js';

export interface RunningSale {
  readonly url: string;
  /** Stops as SIGTERM does: intake first, then the writers, then the backends. Never rejects. */
  close(): Promise<ShutdownReport>;
}

/**
 * The sale's composition root: Postgres (or PGlite) as the ledger, Redis (or the in-process
 * store) as the hot state, the current sale opened, then HTTP. Each part registers its own
 * readiness and stop step; `clock` is for tests that move time.
 * Throws PL_CONFIG_INVALID for settings the field types cannot check, PL_BACKEND_UNAVAILABLE when
 * a backend cannot be reached.
 */
export async function startSale(
  cfg: SaleConfig,
  logger: Logger,
  clock: Clock = SYSTEM_CLOCK,
): Promise<RunningSale> {
  const problems = saleConfigProblems(cfg);
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
  const rt = createRuntime({
    name: 'sale',
    logger,
    drainTimeoutMs: cfg.drainTimeout,
    closeTimeoutMs: CLOSE_BUDGET_MS,
  });
  try {
    const db = await openSql(rt, {
      url: cfg.databaseUrl,
      dataDir: cfg.dataDir,
      schema: cfg.dbSchema,
      poolSize: cfg.dbPool,
      migrations: SALE_MIGRATIONS,
    });
    const hot =
      cfg.redisUrl === undefined
        ? new MemoryHotState()
        : await openRedisHotState(rt, { url: cfg.redisUrl, prefix: cfg.redisPrefix });
    const ledger = new SqlLedger(db.client, db.schema, db.writeConcurrency).register(rt.lifecycle);
    logger.info(
      { event: 'backends', store: db.description, hot: hot.description },
      `ledger: ${db.description}; hot state: ${hot.description}`,
    );
    const keeper = new SaleKeeper({
      hot,
      ledger,
      clock,
      logger,
      settings: { intervalMs: cfg.saleInterval, items: cfg.items, userLimit: cfg.userLimit },
    });
    rt.lifecycle.add({ name: 'sale clock', close: async () => keeper.close() });
    await keeper.start();
    const desk: SaleDesk = new SaleDesk({
      keeper,
      hot,
      ledger,
      clock,
      logger,
      meter: createSaleMeter(rt.registry, () => desk.view()),
      tracer: otelTracer('peaklab-sale'),
      checkoutTtlMs: cfg.checkoutTtl,
    });
    const http = await startHttpServer(rt, {
      listen: cfg,
      bodyLimit: BODY_LIMIT,
      errorBodies: SALE_ERROR_BODIES,
      routes: saleRoutes(desk),
      announce: { what: 'sale', fields: { items: cfg.items, user_limit: cfg.userLimit } },
    });
    return { url: http.url, close: () => rt.lifecycle.shutdown() };
  } catch (err) {
    await rt.lifecycle.shutdown();
    throw err;
  }
}
