import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../shared/logger.js';
import { TEST_ENV } from '../../testing/env.js';
import { needService, uniqueName } from '../../testing/services.js';
import { createRuntime } from '../runtime.js';
import { openSql } from './open.js';

const gate = await needService('postgres');
const MIGRATIONS = { component: 'tx', steps: ['CREATE TABLE t (id integer PRIMARY KEY)'] };

for (const kind of ['postgres', 'pglite'] as const) {
  test(`transaction (${kind}): commits when fn resolves, rolls back and rethrows when it throws`, {
    skip: kind === 'postgres' ? gate.skip : false,
  }, async () => {
    const rt = createRuntime({ name: 'tx-test', logger: silentLogger(), defaultMetrics: false });
    const schema = uniqueName('tx');
    const db = await openSql(rt, {
      url: kind === 'postgres' ? TEST_ENV.databaseUrl : undefined,
      dataDir: join(mkdtempSync(join(tmpdir(), 'tx-')), 'db'),
      schema,
      migrations: MIGRATIONS,
      poolSize: 2,
    });
    const t = `"${schema}".t`;
    try {
      assert.equal(
        await db.transaction(async (tx) => (await tx.query(`INSERT INTO ${t} VALUES (1)`)).rows.length),
        0,
      );
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${t} VALUES (2)`);
          throw new Error('boom');
        }),
        /boom/,
      );
      // A statement error inside: rolled back, and the connection is usable afterwards.
      await assert.rejects(db.transaction((tx) => tx.query(`INSERT INTO ${t} VALUES (1)`)));
      const { rows } = await db.client.query<{ id: number }>(`SELECT id FROM ${t} ORDER BY id`);
      assert.deepEqual(
        rows.map((r) => r.id),
        [1],
      );
    } finally {
      if (kind === 'postgres') await db.client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await rt.lifecycle.shutdown();
    }
  });
}
