import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withPg } from '../../testing/backends.js';
import { needService, uniqueName } from '../../testing/services.js';
import { migrate } from './migrate.js';

const gate = await needService('postgres');

const ORDERS = { component: 'orders', steps: ['CREATE TABLE orders (id text PRIMARY KEY)'] };
const SALE = {
  component: 'sale',
  steps: [
    'CREATE TABLE stock (sku text PRIMARY KEY, left_ integer NOT NULL)',
    'ALTER TABLE stock ADD note text',
  ],
};

async function tables(c: Parameters<Parameters<typeof withPg>[0]>[0], schema: string): Promise<string[]> {
  const r = await c.query<{ t: string }>(
    'SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 ORDER BY 1',
    [schema],
  );
  return r.rows.map((row) => row.t);
}

test('migrations: two components in one schema each apply their own version 1', {
  skip: gate.skip,
}, async () => {
  const schema = uniqueName('mig');
  try {
    await withPg(async (c) => {
      assert.deepEqual(await migrate(c, schema, ORDERS), [1]);
      assert.deepEqual(await migrate(c, schema, SALE), [1, 2], 'sale’s version 1 is not orders’ version 1');
      assert.deepEqual(await tables(c, schema), ['orders', 'peaklab_migrations', 'stock']);
      assert.deepEqual(await migrate(c, schema, ORDERS), [], 'a second start applies nothing');
      assert.deepEqual(await migrate(c, schema, SALE), []);
      const recorded = await c.query<{ component: string; version: number }>(
        `SELECT component, version FROM "${schema}".peaklab_migrations ORDER BY 1, 2`,
      );
      assert.deepEqual(
        recorded.rows.map((r) => `${r.component}:${r.version}`),
        ['orders:1', 'sale:1', 'sale:2'],
      );
    });
  } finally {
    await withPg((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  }
});

test('migrations: a schema migrated before components existed keeps its versions', {
  skip: gate.skip,
}, async () => {
  const schema = uniqueName('migold');
  try {
    await withPg(async (c) => {
      // What earlier releases left: versions without a component, and the orders table made by v1.
      await c.query(`CREATE SCHEMA "${schema}"`);
      await c.query(
        `CREATE TABLE "${schema}".peaklab_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      await c.query(`INSERT INTO "${schema}".peaklab_migrations (version) VALUES (1)`);
      await c.query(`CREATE TABLE "${schema}".orders (id text PRIMARY KEY)`);
      assert.deepEqual(await migrate(c, schema, { ...ORDERS, adoptUnowned: true }), [], 'orders’ v1 is kept');
      assert.deepEqual(await migrate(c, schema, SALE), [1, 2], 'and sale applies its own');
    });
  } finally {
    await withPg((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  }
});
