/** The little both Postgres adapters need from a connection: pg's Pool and PGlite both fit. */
export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function isSchemaName(name: string): boolean {
  return IDENT.test(name);
}

/** A schema name, already checked against IDENT, as a quoted SQL identifier. */
export function quoteIdent(name: string): string {
  if (!IDENT.test(name)) throw new Error(`"${name}" is not a valid schema name`);
  return `"${name}"`;
}

/** Schema changes, in order; each runs once per schema, recorded in peaklab_migrations. */
export function migrations(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.orders (
      id text PRIMARY KEY,
      product_id integer NOT NULL CHECK (product_id BETWEEN 0 AND 100),
      count integer NOT NULL CHECK (count BETWEEN 0 AND 100),
      username text NOT NULL,
      accepted_at timestamptz NOT NULL,
      processed_at timestamptz,
      attempts integer NOT NULL DEFAULT 1
    )`,
  ];
}

/**
 * Runs the pending migrations on one connection (the caller holds any lock it needs); returns the
 * versions it applied (none when the schema is up to date).
 */
export async function migrate(client: SqlClient, schema: string): Promise<number[]> {
  const s = quoteIdent(schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${s}.peaklab_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const done = await client.query(`SELECT version FROM ${s}.peaklab_migrations`);
  const applied = new Set(done.rows.map((r) => (r as { version: number }).version));
  const steps = migrations(schema);
  const ran: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    const version = i + 1;
    if (applied.has(version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(steps[i] as string);
      await client.query(`INSERT INTO ${s}.peaklab_migrations (version) VALUES ($1)`, [version]);
      await client.query('COMMIT');
      ran.push(version);
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  }
  return ran;
}
