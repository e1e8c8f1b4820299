import type { SqlClient } from './client.js';
import { quoteIdent } from './ident.js';

/**
 * One component's schema changes, in order: step i is version i + 1. A step is plain SQL with
 * unqualified names; it runs with `search_path` set to the target schema, inside a transaction
 * that also records it, so a step is applied entirely or not at all.
 */
export interface Migrations {
  /** Who owns these steps ("orders"); several components can share one schema. */
  readonly component: string;
  readonly steps: readonly string[];
}

/**
 * Runs the pending steps of `migrations` in `schema` on one connection (the caller holds any lock
 * it needs), recording each in `<schema>.peaklab_migrations`. Creates the schema if missing.
 * Resolves with the versions it applied (none when up to date); rejects with the database's
 * error, after rolling back the failing step.
 */
export async function migrate(client: SqlClient, schema: string, migrations: Migrations): Promise<number[]> {
  const s = quoteIdent(schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${s}.peaklab_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const done = await client.query<{ version: number }>(`SELECT version FROM ${s}.peaklab_migrations`);
  const applied = new Set(done.rows.map((r) => r.version));
  const ran: number[] = [];
  for (const [i, step] of migrations.steps.entries()) {
    const version = i + 1;
    if (applied.has(version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL search_path TO ${s}`);
      await client.query(step);
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
