import { userInfo } from 'node:os';
import pg from 'pg';
import { PeaklabError } from '../../shared/errors.js';
import { migrate, type SqlClient } from './sql.js';
import { SqlOrderStore } from './sql-store.js';

// Any fixed number: every process migrating the same database takes this lock, one at a time.
const MIGRATION_LOCK = 7_100_2;

export interface PgStoreOptions {
  readonly url: string;
  readonly schema: string;
  /** Connections; group commits run up to half of them at once, the rest serve reads and pings. */
  readonly poolSize?: number;
}

/** Postgres through `pg`: migrations at start (under an advisory lock), then group-committed inserts. */
export async function openPgStore(opts: PgStoreOptions): Promise<SqlOrderStore> {
  const poolSize = opts.poolSize ?? 8;
  // Like libpq, a URL without a user name means the operating-system user.
  const url = new URL(opts.url);
  if (url.username === '') url.username = userInfo().username;
  const pool = new pg.Pool({ connectionString: url.href, max: poolSize });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  try {
    const conn = await pool.connect();
    try {
      await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await migrate(conn, opts.schema);
      } finally {
        await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      conn.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    const where = new URL(opts.url).host;
    throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `Postgres at ${where}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // Named statements are parsed once per connection; the insert runs thousands of times.
  const names = new Map<string, string>();
  const client: SqlClient = {
    query(text, params) {
      let name = names.get(text);
      if (name === undefined) {
        name = `peaklab_orders_${names.size}`;
        names.set(text, name);
      }
      return pool.query({ name, text, values: params });
    },
  };
  const description = `Postgres ${new URL(opts.url).host}, schema ${opts.schema}: a row is durable once committed`;
  return new SqlOrderStore(client, opts.schema, description, Math.max(1, poolSize >> 1), () => pool.end());
}
