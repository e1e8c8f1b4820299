import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { seedDataDir } from './pglite-template.js';

// Each run has its own cache root, so the first seeding really builds the cached cluster.
let root: string;
let cache: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'peaklab-seed-'));
  cache = join(root, 'cache');
  await mkdir(cache);
});
after(() => rm(root, { recursive: true, force: true }));

async function count(dir: string, sql: string): Promise<number> {
  const db = await PGlite.create(dir);
  try {
    return (await db.query<{ n: number }>(sql)).rows[0]?.n ?? -1;
  } finally {
    await db.close();
  }
}

test('a new data directory is a copy of the cached cluster, and each copy is its own database', async () => {
  const a = join(root, 'a');
  assert.equal(await seedDataDir(a, cache), 'copied');
  assert.ok(existsSync(join(a, 'PG_VERSION')), 'a is a Postgres cluster');
  const db = await PGlite.create(a);
  await db.query('CREATE TABLE t (id int PRIMARY KEY)');
  await db.query('INSERT INTO t VALUES (1), (2)');
  await db.close();
  assert.equal(await count(a, 'SELECT count(*)::int AS n FROM t'), 2, 'rows survive a reopen');

  const b = join(root, 'b');
  await mkdir(b); // an empty directory is filled too
  assert.equal(await seedDataDir(b, cache), 'copied');
  const tables = "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'";
  assert.equal(await count(b, tables), 0, 'b does not see what was written to a');
  const [template] = (await readdir(cache)).filter((n) => n.startsWith('peaklab-pglite-'));
  assert.ok(template, 'one cached cluster');
  assert.equal(await count(join(cache, template), tables), 0, 'the cached cluster is never written');
  assert.equal(await seedDataDir(a, cache), 'existing');
});

test('a directory with other files in it is left alone', async () => {
  const dir = join(root, 'user-files');
  await mkdir(dir);
  await writeFile(join(dir, 'notes.txt'), 'mine');
  assert.equal(await seedDataDir(dir, cache), 'fresh');
  assert.deepEqual(await readdir(dir), ['notes.txt']);
  assert.equal(await readFile(join(dir, 'notes.txt'), 'utf8'), 'mine');
});

test('when the cache cannot be made, it falls back to initdb and leaves nothing half-made', async () => {
  const blocked = join(root, 'not-a-dir');
  await writeFile(blocked, 'a file where the cache root should be');
  const dir = join(root, 'fallback');
  assert.equal(await seedDataDir(dir, blocked), 'fresh');
  assert.equal(existsSync(dir), false);
  assert.deepEqual(
    (await readdir(root)).filter((n) => n.includes('.seeding-')),
    [],
    'no staging directory is left behind',
  );
});
