/**
 * The little the platform needs from a Postgres connection or pool: pg's Pool and PoolClient and
 * PGlite all fit behind it. `rows` are plain objects keyed by column name.
 */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
