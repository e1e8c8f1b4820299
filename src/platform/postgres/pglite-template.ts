import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/** How a data directory came to be: already a cluster, copied from the cache, or left to initdb. */
export type Seeding = 'existing' | 'copied' | 'fresh';

let versionOnce: Promise<string> | undefined;

/** PGlite's package version: a cached cluster is only reused by the PGlite that made it. */
function pgliteVersion(): Promise<string> {
  versionOnce ??= (async () => {
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
    const pkg = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  })();
  return versionOnce;
}

const isCluster = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/** Builds the cached cluster under a private name, then renames it into place (atomic). */
async function buildTemplate(template: string): Promise<void> {
  const building = `${template}.building-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    const db = await PGlite.create(building);
    await db.close(); // a clean shutdown: the copy starts without recovery
    await rename(building, template);
  } finally {
    // Another process may have won the rename; ours is then surplus.
    await rm(building, { recursive: true, force: true });
  }
}

/**
 * Creating a PGlite cluster runs initdb inside WebAssembly: 4 to 10 s of CPU on a 2-core machine,
 * paid by every new data directory (a lab run starts two). So one initialised, cleanly shut down
 * cluster is kept per PGlite version under `cacheRoot`, and a new data directory starts as a copy
 * of it (about 1 s). Any failure falls back to PGlite's own initdb: the cache only saves time.
 */
export async function seedDataDir(dataDir: string, cacheRoot: string = tmpdir()): Promise<Seeding> {
  if (isCluster(dataDir)) return 'existing';
  // A directory with anything in it is not ours to fill: PGlite decides what to do with it.
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  if (entries.length > 0) return 'fresh';
  // Copied beside it and renamed into place, so a failure leaves nothing half-made.
  const staging = `${dataDir}.seeding-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    const template = join(cacheRoot, `peaklab-pglite-${await pgliteVersion()}`);
    if (!isCluster(template)) await buildTemplate(template);
    await cp(template, staging, { recursive: true });
    if (existsSync(dataDir)) await rmdir(dataDir); // empty, checked above
    await rename(staging, dataDir);
    return 'copied';
  } catch {
    return 'fresh';
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
