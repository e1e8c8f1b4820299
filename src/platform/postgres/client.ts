/**
 * The little the platform needs from a Postgres connection or pool: pg's Pool and PoolClient and
 * PGlite all fit behind it. `rows` are plain objects keyed by column name.
 */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it
 * throws (the error is rethrown). Row locks taken inside (`FOR UPDATE SKIP LOCKED`) hold until
 * then, so a crash at any point leaves the database as it was before. Every statement keeps the
 * pool's timeouts; getting a connection waits at most the connect timeout.
 */
export type SqlTransaction = <T>(fn: (tx: SqlClient) => Promise<T>) => Promise<T>;
