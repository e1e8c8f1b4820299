import { readConfig } from '../../../config/mod.js';
import { openSql } from '../../../platform/postgres/open.js';
import { createRuntime } from '../../../platform/runtime.js';
import { type Logger, silentLogger } from '../../../shared/logger.js';
import { type TestBackends, withPg } from '../../../testing/backends.js';
import { TEST_ENV } from '../../../testing/env.js';
import { metricValue, scrape } from '../../../testing/scrape.js';
import { ORDER_MIGRATIONS, SqlOrderStore } from '../adapters/sql-store.js';
import { SERVE_SPEC, type ServeConfig } from '../config.js';
import { type RunningService, startOrders } from '../service.js';

/** The service in this process, on port 0, with the test's backends and any overrides. */
export function startTestService(
  backends: TestBackends,
  overrides: Partial<Record<keyof ServeConfig, string>>,
  logger: Logger = silentLogger(),
): Promise<RunningService> {
  const cfg = readConfig(SERVE_SPEC, { port: '0', ...overrides }, backends.env);
  return startOrders(cfg, logger, true);
}

/**
 * id -> the `attempts` column, one entry per row. The primary key makes an id unique, so this can
 * show a missing or an extra order, never a duplicate row: "processed once" is checked through
 * the processing counters (processedCount) instead.
 */
export async function storedOrders(schema: string): Promise<Map<string, number>> {
  return withPg(async (c) => {
    const { rows } = await c.query<{ id: string; attempts: number }>(
      `SELECT id, attempts FROM "${schema}".orders`,
    );
    return new Map(rows.map((r) => [r.id, r.attempts]));
  });
}

/** Successful processing attempts, summed over processes: equals the orders when none ran twice. */
export async function processedCount(urls: readonly string[]): Promise<number> {
  let sum = 0;
  for (const u of urls) sum += metricValue(await scrape(u), 'orders_processing_seconds_count');
  return sum;
}

export interface PostResult {
  status: number;
  body: { result?: string; id?: string };
  headers: Headers;
}

export const GOOD_ORDER = { product_id: '33', count: '3', username: 'maksim.konovalov' };

/** POST /orders with `body` (a string is sent as is); resolves with the status and parsed body. */
export async function postOrder(
  url: string,
  body: unknown = GOOD_ORDER,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<PostResult> {
  const res = await fetch(`${url}/orders`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as PostResult['body'], headers: res.headers };
}

/** The orders table in `schema` of the test database, outside any service; close() when done. */
export async function openTestStore(
  schema: string,
  poolSize: number,
): Promise<{ store: SqlOrderStore; close: () => Promise<unknown> }> {
  const rt = createRuntime({ name: 'orders-test', logger: silentLogger(), defaultMetrics: false });
  const db = await openSql(rt, {
    url: TEST_ENV.databaseUrl,
    dataDir: '',
    schema,
    poolSize,
    migrations: ORDER_MIGRATIONS,
  });
  const store = new SqlOrderStore(db.client, db.schema, db.writeConcurrency).register(rt.lifecycle);
  return { store, close: () => rt.lifecycle.shutdown() };
}
