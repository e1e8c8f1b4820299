/**
 * Postgres taken away (the platform's TCP proxy between the service and the real Postgres): a
 * stalled database and a cut one. Every answer is 202 or 503 with Retry-After, in bounded time,
 * and every ticket that got a 202 is in Postgres.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withPg } from '../../testing/backends.js';
import { needService } from '../../testing/services.js';
import { getJson, postTicket, proxiedBackends, startTestTickets } from './testing/harness.js';
import { SEED_TICKET } from './testing/summary.js';

const gate = await needService('postgres');

test('outage: stalled then cut Postgres: 503 + Retry-After, never a 202 that is not stored', {
  skip: gate.skip,
  timeout: 60_000,
}, async () => {
  const { proxy, backends } = await proxiedBackends('tk_outage');
  const svc = await startTestTickets(backends, {
    dbConnectTimeout: '1s',
    dbQueryTimeout: '1s',
    drainTimeout: '2s',
  });
  const acked = new Set<string>();
  const answers = new Map<number, number>();
  let n = 0;
  const send = async () => {
    const key = `o-${n++}`;
    const started = performance.now();
    const r = await postTicket(svc.url, SEED_TICKET, { 'idempotency-key': key });
    const ms = performance.now() - started;
    answers.set(r.status, (answers.get(r.status) ?? 0) + 1);
    assert.ok(r.status === 202 || r.status === 503, `status ${r.status}`);
    assert.ok(ms < 8000, `answered in ${ms.toFixed(0)} ms: a stalled database must not hang the sender`);
    if (r.status === 202) acked.add(key);
    else assert.equal(r.headers.get('retry-after'), '1');
  };
  const wave = (count: number) => Promise.all(Array.from({ length: count }, send));
  try {
    await wave(40);
    assert.equal(acked.size, 40, 'all stored while Postgres is up');

    proxy.stall();
    const stalled = wave(20);
    const ready = await getJson(svc.url, '/readyz');
    assert.equal(ready.status, 503, 'not ready while Postgres does not answer');
    await stalled;
    proxy.resume();

    const during = wave(30);
    await new Promise((r) => setTimeout(r, 20));
    await proxy.cut();
    await during;
    await wave(20);
    assert.ok((answers.get(503) ?? 0) >= 20, `503s while down: ${JSON.stringify([...answers])}`);
    const got = await getJson(svc.url, '/tickets/00000000-0000-4000-8000-000000000000');
    assert.equal(got.status, 503);
  } finally {
    // Postgres is gone: the workers cannot finish, so the stop is bounded and says it is unclean.
    const report = await svc.close();
    assert.equal(report.clean, false, JSON.stringify(report));
    proxy.resume();
  }
  // Every 202 is in Postgres: read straight from the real server, not through the proxy.
  const stored = await withPg(async (c) => {
    const { rows } = await c.query<{ idempotency_key: string }>(
      `SELECT idempotency_key FROM "${backends.schema}".tickets`,
    );
    return new Set(rows.map((r) => r.idempotency_key));
  });
  const lost = [...acked].filter((k) => !stored.has(k));
  assert.deepEqual(lost, [], `${acked.size} acknowledged, ${stored.size} stored`);
  await backends.cleanup();
});

test('outage: bodies waiting on a stalled Postgres are bounded: past --intake-buffer, 503 at once', {
  skip: gate.skip,
  timeout: 30_000,
}, async () => {
  const { proxy, backends } = await proxiedBackends('tk_buffer');
  const limits = { dbConnectTimeout: '1s', dbQueryTimeout: '2s', drainTimeout: '1s' };
  const svc = await startTestTickets(backends, { intakeBuffer: '1', ...limits });
  try {
    proxy.stall();
    // 700 KB waits for a commit that cannot come; a second 700 KB would pass the 1 MiB bound.
    const waiting = postTicket(svc.url, Buffer.alloc(700_000, 0x61));
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const refused = await postTicket(svc.url, Buffer.alloc(700_000, 0x62));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.ok(performance.now() - started < 1000, 'refused at once, not after a timeout');
    assert.equal((await waiting).status, 503, 'the stalled commit times out: not acknowledged');
    proxy.resume();
    // The bound is released with the requests: small tickets pass again.
    assert.equal((await postTicket(svc.url, SEED_TICKET)).status, 202);
  } finally {
    proxy.resume();
    await svc.close();
    await proxy.cut();
    await backends.cleanup();
  }
});
