import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlTransaction } from './client.js';
import { type Migrations, migrate } from './migrate.js';
import { seedDataDir } from './pglite-template.js';

export interface PgliteDatabase {
  readonly client: SqlClient;
  readonly transaction: SqlTransaction;
  end(): Promise<void>;
}

/**
 * Embedded PGlite (Postgres in WebAssembly) in `dataDir`, migrated: for running without a
 * database server. One process per data directory; it is single-connection, so one statement
 * runs at a time. A new directory starts as a copy of a cached initialised cluster.
 */
export async function openPglite(
  dataDir: string,
  schema: string,
  migrations: Migrations,
): Promise<PgliteDatabase> {
  await mkdir(dirname(dataDir), { recursive: true });
  await seedDataDir(dataDir);
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const client: SqlClient = {
    async query(text, params) {
      return db.query(text, params);
    },
  };
  try {
    await migrate(client, schema, migrations);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  // PGlite runs one transaction at a time; queries from outside it wait until it ends.
  const transaction: SqlTransaction = (fn) =>
    db.transaction((tx) => fn({ query: async (text, params) => tx.query(text, params) }));
  return { client, transaction, end: () => db.close() };
}
