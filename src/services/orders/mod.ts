/**
 * The orders service's public API for other parts of peaklab (the lab, tests, benchmarks).
 */

import { checkSchema } from './backends.js';
import { openPgStore } from './pg-store.js';
import { openPgliteStore } from './pglite-store.js';
import type { OrderTiming } from './ports.js';

export type { ServeConfig, WorkerConfig } from './config.js';
export { SERVE_SPEC, WORKER_SPEC } from './config.js';
export type { OrderTiming } from './ports.js';
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
 */
export async function openOrderStore(where: OrderStoreLocation = {}): Promise<OrderStoreReader> {
  const schema = where.schema ?? 'public';
  checkSchema(schema);
  return where.databaseUrl !== undefined
    ? openPgStore({ url: where.databaseUrl, schema, poolSize: 2 })
    : openPgliteStore({ dataDir: where.dataDir ?? '.peaklab/orders-pglite', schema });
}
