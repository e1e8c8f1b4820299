import { silentLogger } from '../../shared/logger.js';
import { createRuntime } from '../runtime.js';
import type { Migrations } from './migrate.js';
import { openSql, type SqlDatabase } from './open.js';

/** Where a service keeps its database, as a tool outside the service (a lab, a test) names it. */
export interface SqlLocation {
  /** Postgres URL; unset = the PGlite directory. */
  readonly databaseUrl?: string;
  /** PGlite data directory (default: the service's own default). */
  readonly dataDir?: string;
  /** Postgres schema (default `public`). */
  readonly schema?: string;
}

/** An open database read from outside its service; close() releases it. */
export interface SqlReader {
  readonly db: SqlDatabase;
  close(): Promise<void>;
}

/**
 * Opens the database a service wrote, from outside the service: migrated (so an empty location
 * works too), on a pool of two, under a silent runtime of its own. For PGlite, only once the
 * service has stopped: one process per directory. Throws as openSql does (PL_CONFIG_INVALID for
 * a bad schema name, PL_BACKEND_UNAVAILABLE when it cannot open).
 */
export async function openSqlReader(
  where: SqlLocation,
  defaultDataDir: string,
  migrations: Migrations,
): Promise<SqlReader> {
  const rt = createRuntime({
    name: `${migrations.component}-reader`,
    logger: silentLogger(),
    defaultMetrics: false,
  });
  try {
    const db = await openSql(rt, {
      url: where.databaseUrl,
      dataDir: where.dataDir ?? defaultDataDir,
      schema: where.schema ?? 'public',
      poolSize: 2,
      migrations,
    });
    return {
      db,
      async close() {
        await rt.lifecycle.shutdown();
      },
    };
  } catch (err) {
    await rt.lifecycle.shutdown();
    throw err;
  }
}
