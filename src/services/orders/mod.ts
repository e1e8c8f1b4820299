/**
 * The orders service's public API for other parts of peaklab (the lab, tests, benchmarks).
 */

import { openSql } from '../../platform/postgres/open.js';
import { createRuntime } from '../../platform/runtime.js';
import { silentLogger } from '../../shared/logger.js';
import { ORDER_MIGRATIONS, SqlOrderStore } from './adapters/sql-store.js';
import type { OrderTiming } from './domain/ports.js';

export type { ServeConfig, WorkerConfig } from './config.js';
export { SERVE_SPEC, WORKER_SPEC } from './config.js';
export type { OrderTiming } from './domain/ports.js';
export { type RunningService, startOrders } from './service.js';

export interface OrderStoreLocation {
  /** Postgres URL; unset = the PGlite directory. */
  databaseUrl?: string;
  /** PGlite data directory (default `.peaklab/orders-pglite`). */
  dataDir?: string;
  /** Postgres schema (default `public`). */
  schema?: string;
}

export interface OrderStoreReader {
  /** One entry per row: accepted and processed times in epoch ms. */
  timings(): Promise<OrderTiming[]>;
  close(): Promise<void>;
}

/**
 * Opens the orders table the service wrote, after the service has stopped (PGlite allows one
 * process per directory). Runs the migrations, so it also works on an empty location.
 * Throws PL_CONFIG_INVALID for a bad schema name, PL_BACKEND_UNAVAILABLE when it cannot open.
 */
export async function openOrderStore(where: OrderStoreLocation = {}): Promise<OrderStoreReader> {
  const rt = createRuntime({ name: 'orders-reader', logger: silentLogger(), defaultMetrics: false });
  const db = await openSql(rt, {
    url: where.databaseUrl,
    dataDir: where.dataDir ?? '.peaklab/orders-pglite',
    schema: where.schema ?? 'public',
    poolSize: 2,
    migrations: ORDER_MIGRATIONS,
  });
  const store = new SqlOrderStore(db.client, db.schema, 1);
  return {
    timings: () => store.timings(),
    async close() {
      await rt.lifecycle.shutdown();
    },
  };
}
