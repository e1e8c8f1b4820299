import { userInfo } from 'node:os';
import pg from 'pg';
import type { SqlClient, SqlTransaction } from './client.js';
import { type Migrations, migrate } from './migrate.js';

// Any fixed number: every process migrating the same database takes this lock, one at a time.
const MIGRATION_LOCK = 7_100_2;
/** Migrations (and waiting for another process's) may take longer than a request's statement. */
const MIGRATION_TIMEOUT_MS = 60_000;
/** The client gives up this long after the server's statement_timeout should have answered. */
const CLIENT_GRACE_MS = 1000;

export interface PgOptions {
  readonly url: string;
  readonly schema: string;
  readonly migrations: Migrations;
  /** Connections in the pool. */
  readonly poolSize: number;
  /** Opening a connection, or waiting for a free one in the pool, may take this long (ms). */
  readonly connectTimeoutMs: number;
  /** One statement may run this long (ms): the server cancels it; the client waits a second more. */
  readonly queryTimeoutMs: number;
}

export interface PgDatabase {
  readonly client: SqlClient;
  readonly transaction: SqlTransaction;
  readonly host: string;
  end(): Promise<void>;
}

/** Like libpq, a URL without a user name means the operating-system user. */
function withUser(url: string): string {
  const u = new URL(url);
  if (u.username === '') u.username = userInfo().username;
  return u.href;
}

/** Runs the migrations on a connection of their own, under an advisory lock and their own bounds. */
async function migrateOnce(opts: PgOptions): Promise<void> {
  const conn = new pg.Client({
    connectionString: withUser(opts.url),
    connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: MIGRATION_TIMEOUT_MS,
    query_timeout: MIGRATION_TIMEOUT_MS + CLIENT_GRACE_MS,
  });
  conn.on('error', () => {});
  await conn.connect();
  try {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(conn as SqlClient, opts.schema, opts.migrations);
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    // end() waits for the server's goodbye; a stalled one must not hold start-up.
    await Promise.race([conn.end(), new Promise((r) => setTimeout(r, CLIENT_GRACE_MS).unref())]);
  }
}

/**
 * A `pg` pool on `url`, migrated first under an advisory lock (so several processes can start at
 * once). Every wait is bounded: connecting (and waiting for a pooled connection) by
 * connectTimeoutMs, each statement by queryTimeoutMs on the server (statement_timeout) and a
 * second later on the client (query_timeout, for a server that cannot even answer); a connection
 * whose query timed out is discarded. Queries run as named statements, parsed once per
 * connection: the hot inserts run thousands of times. Rejects with the driver's error when the
 * database cannot be reached or migrated.
 */
export async function openPg(opts: PgOptions): Promise<PgDatabase> {
  await migrateOnce(opts);
  const pool = new pg.Pool({
    connectionString: withUser(opts.url),
    max: opts.poolSize,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: opts.queryTimeoutMs,
    query_timeout: opts.queryTimeoutMs + CLIENT_GRACE_MS,
    keepAlive: true,
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `peaklab_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const client: SqlClient = {
    query(text, params) {
      return pool.query({ name: nameOf(text), text, values: params }) as never;
    },
  };
  const transaction: SqlTransaction = async (fn) => {
    const conn = await pool.connect();
    let broken: Error | undefined;
    // A checked-out connection that dies emits 'error' (the pool only listens on idle ones); the
    // query in flight rejects anyway, so this only keeps the event from crashing the process.
    const onError = (e: Error) => {
      broken = e;
    };
    conn.on('error', onError);
    const tx: SqlClient = {
      query(text, params) {
        return conn.query({ name: nameOf(text), text, values: params }) as never;
      },
    };
    try {
      await conn.query('BEGIN');
      const out = await fn(tx);
      await conn.query('COMMIT');
      return out;
    } catch (err) {
      // A connection whose ROLLBACK fails (lost, timed out) is discarded, not pooled again.
      await conn.query('ROLLBACK').catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw err;
    } finally {
      conn.off('error', onError);
      conn.release(broken);
    }
  };
  return { client, transaction, host: new URL(opts.url).host, end: () => pool.end() };
}
