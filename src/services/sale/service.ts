import type { Logger } from 'pino';
import { sqlOptions } from '../../platform/config/groups.js';
import { startHttpServer } from '../../platform/http/app.js';
import { openSql } from '../../platform/postgres/open.js';
import { logBackends, type RunningService, runService } from '../../platform/service.js';
import { serviceTracer } from '../../platform/telemetry/otel-tracer.js';
import { describeError, PeaklabError } from '../../shared/errors.js';
import { BODY_LIMIT, SALE_ERROR_BODIES, saleRoutes } from './adapters/http-routes.js';
import { MemoryHotState } from './adapters/memory-hot.js';
import { createSaleMeter } from './adapters/metrics.js';
import { openRedisHotState } from './adapters/redis-hot.js';
import { SqlLedger } from './adapters/sql-ledger.js';
import { SALE_MIGRATIONS } from './adapters/sql-schema.js';
import type { SaleConfig } from './config.js';
import { SaleDesk } from './domain/desk.js';
import { SaleKeeper } from './domain/keeper.js';
import { type Clock, SYSTEM_CLOCK } from './domain/ports.js';

export type { RunningService as RunningSale };

/**
 * The sale's composition root: Postgres (or PGlite) as the ledger, Redis (or the in-process
 * store) as the hot state, the current sale opened, then HTTP. Each part registers its own
 * readiness and stop step; `clock` is for tests that move time. Throws PL_BACKEND_UNAVAILABLE when
 * a backend cannot be reached; what opened before is stopped.
 */
export function startSale(
  cfg: SaleConfig,
  logger: Logger,
  clock: Clock = SYSTEM_CLOCK,
): Promise<RunningService> {
  return runService(
    { name: 'sale', logger, drainTimeoutMs: cfg.drainTimeout, tracing: cfg, influx: cfg },
    async (rt) => {
      const db = await openSql(rt, sqlOptions(cfg, SALE_MIGRATIONS));
      const hot =
        cfg.redisUrl === undefined
          ? new MemoryHotState()
          : await openRedisHotState(rt, {
              url: cfg.redisUrl,
              prefix: cfg.redisPrefix,
              timeoutMs: cfg.redisTimeout,
            });
      const ledger = new SqlLedger(db.client, db.schema, db.writeConcurrency).register(rt.lifecycle);
      logBackends(rt, { ledger: db.description, hot: hot.description });
      const settings = { intervalMs: cfg.saleInterval, items: cfg.items, userLimit: cfg.userLimit };
      const keeper = new SaleKeeper({ hot, ledger, clock, logger, settings });
      rt.lifecycle.add({ name: 'sale clock', close: async () => keeper.close() });
      await keeper.start().catch((err: unknown) => {
        throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `cannot open the sale: ${describeError(err)}`, {
          cause: err,
        });
      });
      const desk: SaleDesk = new SaleDesk({
        keeper,
        hot,
        ledger,
        clock,
        logger,
        meter: createSaleMeter(rt.registry, () => desk.view()),
        tracer: serviceTracer(rt.tracing !== undefined, 'peaklab-sale'),
        checkoutTtlMs: cfg.checkoutTtl,
      });
      return startHttpServer(rt, {
        listen: cfg,
        bodyLimit: BODY_LIMIT,
        errorBodies: SALE_ERROR_BODIES,
        routes: saleRoutes(desk),
        announce: { what: 'sale', fields: { items: cfg.items, user_limit: cfg.userLimit } },
      });
    },
  );
}
