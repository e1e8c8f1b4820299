import { userInfo } from 'node:os';
import pg from 'pg';
import type { SqlClient } from './client.js';
import { type Migrations, migrate } from './migrate.js';

// Any fixed number: every process migrating the same database takes this lock, one at a time.
const MIGRATION_LOCK = 7_100_2;

export interface PgOptions {
  readonly url: string;
  readonly schema: string;
  readonly migrations: Migrations;
  /** Connections in the pool. */
  readonly poolSize: number;
}

export interface PgDatabase {
  readonly client: SqlClient;
  readonly host: string;
  end(): Promise<void>;
}

/** Like libpq, a URL without a user name means the operating-system user. */
function withUser(url: string): string {
  const u = new URL(url);
  if (u.username === '') u.username = userInfo().username;
  return u.href;
}

/**
 * A `pg` pool on `url`, migrated under an advisory lock (so several processes can start at once).
 * Queries run as named statements, parsed once per connection: the hot inserts run thousands of
 * times. Rejects with the driver's error when the database cannot be reached or migrated.
 */
export async function openPg(opts: PgOptions): Promise<PgDatabase> {
  const pool = new pg.Pool({ connectionString: withUser(opts.url), max: opts.poolSize });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  try {
    const conn = await pool.connect();
    try {
      await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await migrate(conn as SqlClient, opts.schema, opts.migrations);
      } finally {
        await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      conn.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  const names = new Map<string, string>();
  const client: SqlClient = {
    query(text, params) {
      let name = names.get(text);
      if (name === undefined) {
        name = `peaklab_${names.size}`;
        names.set(text, name);
      }
      return pool.query({ name, text, values: params }) as never;
    },
  };
  return { client, host: new URL(opts.url).host, end: () => pool.end() };
}
