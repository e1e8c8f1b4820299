import { describeError, PeaklabError } from '../../shared/errors.js';
import type { ServiceRuntime } from '../runtime.js';
import type { SqlClient, SqlTransaction } from './client.js';
import { isIdentifier } from './ident.js';
import type { Migrations } from './migrate.js';

export interface SqlOptions {
  /** Postgres URL; unset = embedded PGlite in `dataDir`. */
  readonly url?: string;
  /** PGlite data directory, used when `url` is unset. */
  readonly dataDir: string;
  /** Schema the component's tables live in (created if missing); a plain identifier. */
  readonly schema: string;
  readonly migrations: Migrations;
  /** Postgres connections (default 8); PGlite has one. */
  readonly poolSize?: number;
  /** Postgres: connecting, or waiting for a pooled connection, may take this long (ms; default 5000). */
  readonly connectTimeoutMs?: number;
  /** Postgres: one statement may run this long (ms; default 5000). */
  readonly queryTimeoutMs?: number;
}

/** An open, migrated database: a client for queries plus what the service logs about it. */
export interface SqlDatabase {
  readonly client: SqlClient;
  /** Runs a function in one transaction on one connection (see SqlTransaction). */
  readonly transaction: SqlTransaction;
  readonly kind: 'postgres' | 'pglite';
  readonly schema: string;
  /** How many writes may run at once and leave room for reads and pings: half the pool, or 1. */
  readonly writeConcurrency: number;
  /** Which database it is and what it guarantees, for the start-up log line. */
  readonly description: string;
}

/**
 * Opens Postgres (`pg`, when `url` is set) or embedded PGlite, runs `migrations` in `schema`, and
 * registers a readiness check (`SELECT 1`) and a close step on the runtime. Drivers are loaded
 * only when used, so a command that never opens a database never pays for them.
 * Throws PL_CONFIG_INVALID for a schema that is not a plain identifier, and
 * PL_BACKEND_UNAVAILABLE, naming the database, when it cannot be reached or migrated.
 */
export async function openSql(rt: ServiceRuntime, opts: SqlOptions): Promise<SqlDatabase> {
  if (!isIdentifier(opts.schema)) {
    throw new PeaklabError(
      'PL_CONFIG_INVALID',
      `--db-schema: "${opts.schema}" is not a plain SQL identifier`,
    );
  }
  let db: SqlDatabase;
  let end: () => Promise<void>;
  if (opts.url !== undefined) {
    const poolSize = opts.poolSize ?? 8;
    const { openPg } = await import('./pg.js');
    const pg = await openPg({
      url: opts.url,
      schema: opts.schema,
      migrations: opts.migrations,
      poolSize,
      connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
      queryTimeoutMs: opts.queryTimeoutMs ?? 5000,
    }).catch((err: unknown) => {
      const where = new URL(opts.url as string).host;
      throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `Postgres at ${where}: ${describeError(err)}`, {
        cause: err,
      });
    });
    end = pg.end;
    db = {
      client: pg.client,
      transaction: pg.transaction,
      kind: 'postgres',
      schema: opts.schema,
      writeConcurrency: Math.max(1, poolSize >> 1),
      description: `Postgres ${pg.host}, schema ${opts.schema}: a row is durable once committed`,
    };
  } else {
    const { openPglite } = await import('./pglite.js');
    const lite = await openPglite(opts.dataDir, opts.schema, opts.migrations).catch((err: unknown) => {
      throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `PGlite in ${opts.dataDir}: ${describeError(err)}`, {
        cause: err,
      });
    });
    end = lite.end;
    db = {
      client: lite.client,
      transaction: lite.transaction,
      kind: 'pglite',
      schema: opts.schema,
      writeConcurrency: 1,
      description: `embedded PGlite in ${opts.dataDir}: rows survive a restart; one process per directory`,
    };
  }
  const raw = db.client;
  rt.readiness.add('postgres', async () => {
    await raw.query('SELECT 1');
  });
  rt.lifecycle.add({ name: db.kind, close: end });
  if (rt.tracing) {
    const { tracedSqlClient } = await import('./traced.js');
    const namespace = opts.url === undefined ? 'pglite' : new URL(opts.url).pathname.slice(1) || 'postgres';
    db = { ...db, client: tracedSqlClient(raw, { system: 'postgresql', namespace }) };
  }
  return db;
}
