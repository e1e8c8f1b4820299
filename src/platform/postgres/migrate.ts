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
  /**
   * Claim versions recorded before migrations had components. Releases up to this one kept one
   * `peaklab_migrations(version)` list per schema, written only by orders; orders sets this so
   * its old versions stay applied. No other component may set it.
   */
  readonly adoptUnowned?: boolean;
}

/** Recorded for versions that an earlier release applied without naming a component. */
const UNOWNED = '';

/**
 * Runs the pending steps of `migrations` in `schema` on one connection (the caller holds any lock
 * it needs), recording each as (component, version) in `<schema>.peaklab_migrations`, so two
 * components in one schema each apply their own version 1. Creates the schema if missing, and
 * upgrades a table left by an earlier release (versions only) in place.
 * Resolves with the versions it applied (none when up to date); rejects with the database's
 * error, after rolling back the failing step.
 */
export async function migrate(client: SqlClient, schema: string, migrations: Migrations): Promise<number[]> {
  const s = quoteIdent(schema);
  const table = `${s}.peaklab_migrations`;
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
      component text NOT NULL,
      version integer NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (component, version))`,
  );
  await upgradeLegacyTable(client, schema, table);
  if (migrations.adoptUnowned) {
    await client.query(`UPDATE ${table} SET component = $1 WHERE component = $2`, [
      migrations.component,
      UNOWNED,
    ]);
  }
  const done = await client.query<{ version: number }>(`SELECT version FROM ${table} WHERE component = $1`, [
    migrations.component,
  ]);
  const applied = new Set(done.rows.map((r) => r.version));
  const ran: number[] = [];
  for (const [i, step] of migrations.steps.entries()) {
    const version = i + 1;
    if (applied.has(version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL search_path TO ${s}`);
      await client.query(step);
      await client.query(`INSERT INTO ${table} (component, version) VALUES ($1, $2)`, [
        migrations.component,
        version,
      ]);
      await client.query('COMMIT');
      ran.push(version);
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  }
  return ran;
}

/** An earlier release's `peaklab_migrations(version PRIMARY KEY)`: add the component, keyed with it. */
async function upgradeLegacyTable(client: SqlClient, schema: string, table: string): Promise<void> {
  const { rows } = await client.query(
    `SELECT 1 FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = 'peaklab_migrations' AND column_name = 'component'`,
    [schema],
  );
  if (rows.length > 0) return;
  await client.query('BEGIN');
  try {
    await client.query(`ALTER TABLE ${table} ADD COLUMN component text NOT NULL DEFAULT '${UNOWNED}'`);
    await client.query(`ALTER TABLE ${table} ALTER COLUMN component DROP DEFAULT`);
    await client.query(`ALTER TABLE ${table} DROP CONSTRAINT peaklab_migrations_pkey`);
    await client.query(`ALTER TABLE ${table} ADD PRIMARY KEY (component, version)`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}
