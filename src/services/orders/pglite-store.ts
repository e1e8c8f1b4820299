import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PeaklabError } from '../../shared/errors.js';
import { seedDataDir } from './pglite-template.js';
import { migrate, type SqlClient } from './sql.js';
import { SqlOrderStore } from './sql-store.js';

/**
 * Embedded PGlite (Postgres in WebAssembly) in a data directory: for running without a database
 * server. One process per data directory; it is single-connection, so one write runs at a time.
 */
export async function openPgliteStore(opts: { dataDir: string; schema: string }): Promise<SqlOrderStore> {
  let db: PGlite;
  try {
    await mkdir(dirname(opts.dataDir), { recursive: true });
    // A new directory starts as a copy of a cached cluster rather than paying initdb again.
    await seedDataDir(opts.dataDir);
    await mkdir(opts.dataDir, { recursive: true });
    db = await PGlite.create(opts.dataDir);
    await migrate(db as SqlClient, opts.schema);
  } catch (err) {
    throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `PGlite in ${opts.dataDir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const description = `embedded PGlite in ${opts.dataDir}: rows survive a restart; one process per directory`;
  return new SqlOrderStore(db as SqlClient, opts.schema, description, 1, () => db.close());
}
