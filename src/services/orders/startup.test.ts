import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { readConfig } from '../../config/mod.js';
import { migrate } from '../../platform/postgres/migrate.js';
import { isPeaklabError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logger.js';
import { testBackends, withJsm, withPg } from '../../testing/backends.js';
import { TEST_ENV } from '../../testing/env.js';
import { capturingLogger } from '../../testing/logger.js';
import { needService } from '../../testing/services.js';
import { startTcpProxy } from '../../testing/tcp-proxy.js';
import { ORDER_MIGRATIONS } from './adapters/sql-store.js';
import { SERVE_RULES, SERVE_SPEC } from './config.js';
import { startOrders } from './service.js';
import { startTestService } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');
const skip = pgGate.skip || natsGate.skip;

test('startup: one log line names the backends and what they guarantee', { skip }, async () => {
  const backends = testBackends('logline');
  try {
    for (const mode of ['queue', 'direct'] as const) {
      const lines: Array<Record<string, unknown>> = [];
      const svc = await startTestService(backends, { mode }, capturingLogger(lines));
      await svc.close();
      const line = lines.find((l) => l.event === 'backends');
      assert.ok(line, `a backends line (${mode})`);
      assert.match(
        String(line.store),
        /^Postgres 127\.0\.0\.1:5432, schema \S+: a row is durable once committed/,
      );
      if (mode === 'queue') {
        assert.match(String(line.queue), /^JetStream file storage: .*survive a crash of this process/);
      } else {
        assert.match(String(line.queue), /^none/);
      }
      assert.match(String(line.msg), /store: Postgres.*queue: /);
    }
  } finally {
    await backends.cleanup();
  }
});

test('startup: migrations are recorded and a second start applies none', { skip: pgGate.skip }, async () => {
  const backends = testBackends('migrate');
  const versions = () =>
    withPg(async (c) => {
      const r = await c.query(`SELECT version, applied_at FROM "${backends.schema}".peaklab_migrations`);
      return r.rows as Array<{ version: number; applied_at: Date }>;
    });
  try {
    const first = await startTestService(backends, { mode: 'direct' });
    await first.close();
    const after1 = await versions();
    assert.deepEqual(
      after1.map((r) => r.version),
      [1],
    );
    const second = await startTestService(backends, { mode: 'direct' });
    await second.close();
    assert.deepEqual(await versions(), after1, 'the second start changed nothing');
    const applied = await withPg((c) => migrate(c, backends.schema, ORDER_MIGRATIONS));
    assert.deepEqual(applied, [], 'nothing left to apply');
  } finally {
    await backends.cleanup();
  }
});

test('startup: /readyz answers 503 once the database is unreachable', { skip: pgGate.skip }, async () => {
  const backends = testBackends('readyz');
  const pgUrl = new URL(TEST_ENV.databaseUrl);
  const proxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  pgUrl.port = String(proxy.port);
  const cfg = readConfig(
    SERVE_SPEC,
    { port: '0', mode: 'direct' },
    { ...backends.env, DATABASE_URL: pgUrl.href },
  );
  const svc = await startOrders(cfg, silentLogger(), true);
  try {
    assert.equal((await fetch(`${svc.url}/readyz`)).status, 200);
    await proxy.cut();
    const res = await fetch(`${svc.url}/readyz`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { status: string; reason: string };
    assert.equal(body.status, 'unavailable');
    assert.ok(body.reason.length > 0, 'with the reason');
    assert.equal((await fetch(`${svc.url}/healthz`)).status, 200, 'alive all the same');
  } finally {
    await svc.close().catch(() => {});
    await backends.cleanup();
  }
});

test('startup: an existing stream without our guarantees is a config error, not a warning', {
  skip,
}, async () => {
  const cases = [
    { why: 'storage', cfg: { storage: StorageType.Memory, retention: RetentionPolicy.Workqueue } },
    { why: 'retention', cfg: { storage: StorageType.File, retention: RetentionPolicy.Limits } },
    {
      why: 'duplicate_window',
      cfg: { storage: StorageType.File, retention: RetentionPolicy.Workqueue, duplicate_window: nanos(1000) },
    },
  ];
  for (const { why, cfg } of cases) {
    const backends = testBackends(`badstream_${why}`);
    try {
      await withJsm((jsm) =>
        jsm.streams.add({ name: backends.stream, subjects: [`${backends.stream}.new`], ...cfg }),
      );
      await assert.rejects(
        startTestService(backends, { mode: 'queue' }),
        (err: unknown) => isPeaklabError(err, 'PL_CONFIG_INVALID') && err.message.includes(why),
        why,
      );
    } finally {
      await backends.cleanup();
    }
  }
  // Other limits and a wildcard subject keep our guarantees: accepted.
  const backends = testBackends('okstream');
  try {
    await withJsm((jsm) =>
      jsm.streams.add({
        name: backends.stream,
        subjects: [`${backends.stream}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Workqueue,
        duplicate_window: nanos(600_000),
        max_msgs: 1_000_000,
      }),
    );
    const svc = await startTestService(backends, { mode: 'queue' });
    await svc.close();
  } finally {
    await backends.cleanup();
  }
});

test('startup: queue mode with the in-process queue and --workers 0 is refused by the config rules', () => {
  assert.throws(
    () => readConfig(SERVE_SPEC, { port: '0', mode: 'queue', workers: '0' }, {}, SERVE_RULES),
    (err: unknown) => isPeaklabError(err, 'PL_CONFIG_INVALID') && /NATS_URL/.test(err.message),
  );
});
