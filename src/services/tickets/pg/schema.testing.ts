/**
 * A fresh schema on the test Postgres with the tickets migrations applied, for one test. The steps
 * run here in order; in the service the platform's migration runner applies them (keyed by component).
 */
import { userInfo } from 'node:os';
import pg from 'pg';
import { TEST_ENV } from '../../../testing/env.js';
import { uniqueName } from '../../../testing/services.js';
import { ticketMigrations } from './migrations.js';
import { type TicketSql, ticketSql } from './sql.js';

export interface TestSchema {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly sql: TicketSql;
  /** Runs `fn` in a transaction on one connection: COMMIT if it resolves, ROLLBACK if it throws. */
  inTransaction<T>(fn: (tx: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Drops the schema and ends the pool. */
  close(): Promise<void>;
}

/** A schema named `<prefix>_<pid>_<random>`, migrated; `max` connections in its pool. */
export async function testSchema(prefix: string, max = 10): Promise<TestSchema> {
  const url = new URL(TEST_ENV.databaseUrl);
  // Like libpq, a URL without a user name means the operating-system user.
  if (url.username === '') url.username = userInfo().username;
  // Bounded waits: a lock or statement that hangs fails the test in seconds instead of hanging it.
  const pool = new pg.Pool({
    connectionString: url.href,
    max,
    connectionTimeoutMillis: 5000,
    options: '-c lock_timeout=10000 -c statement_timeout=20000',
  });
  pool.on('error', () => {});
  const schema = uniqueName(prefix);
  await pool.query(`CREATE SCHEMA "${schema}"`);
  for (const step of ticketMigrations(schema)) await pool.query(step);
  const inTransaction = async <T>(fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> => {
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      const out = await fn(tx);
      await tx.query('COMMIT');
      return out;
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      tx.release();
    }
  };
  return {
    pool,
    schema,
    sql: ticketSql(schema),
    inTransaction,
    async close() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await pool.end();
    },
  };
}
