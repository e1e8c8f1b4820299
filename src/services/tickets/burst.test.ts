/**
 * The burst of issue 11: 10,000 tickets at concurrency 100 through `hey`, then SIGKILL during a
 * second burst, and a restart. Every ticket that got a 202 exists, ends treated or error, and none
 * is stored twice.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { withPg } from '../../testing/backends.js';
import { childEnv } from '../../testing/env.js';
import { needService } from '../../testing/services.js';
import { needTool } from '../../testing/tools.js';
import { corpusTicket } from './corpus.js';
import { storedCounts, ticketBackends, waitSettled } from './testing/harness.js';
import { HEY, runHey } from './testing/hey.js';
import { SEED_TICKET } from './testing/summary.js';

const gate = await needService('postgres');
const heyGate = needTool(HEY, 'apt-get install hey');
const ARGS = ['serve', 'tickets', '--port', '0'];

/** Sends corpus tickets with Idempotency-Key `b2-<i>` from `concurrency` loops until stopped. */
async function keyedBurst(url: string, concurrency: number, stop: () => boolean, acked: Set<string>) {
  let next = 0;
  const loop = async () => {
    while (!stop()) {
      const i = next++;
      const key = `b2-${i}`;
      try {
        const res = await fetch(`${url}/ticket`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'idempotency-key': key },
          body: corpusTicket(7, i).body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.status === 202) acked.add(key);
        else if (res.status !== 400) assert.fail(`status ${res.status}`); // 400: the corpus's empty tickets
      } catch {
        // The process was killed under this request: not acknowledged, so nothing is owed.
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return next;
}

const BURST =
  'burst: 10,000 tickets at c=100, then SIGKILL mid-burst and restart: every 202 stored once and settled';

test(BURST, { timeout: 120_000, skip: gate.skip || heyGate.skip }, async (t) => {
  const file = join(tmpdir(), `ticket-${process.pid}.txt`);
  writeFileSync(file, SEED_TICKET);
  const backends = ticketBackends('tk_burst');
  const env = childEnv(backends.env);
  let svc: ChildService | undefined;
  try {
    svc = await spawnPeaklab(ARGS, { env });
    const hey = await runHey({
      url: `${svc.url}/ticket`,
      requests: 10_000,
      concurrency: 100,
      bodyFile: file,
    });
    assert.equal(hey.errors, 0, hey.command);
    assert.deepEqual([...hey.statuses], [[202, 10_000]]);
    // No key: every request is its own ticket, so rows = 202s exactly (none lost, none doubled).
    assert.equal((await storedCounts(backends.schema)).rows, 10_000);

    let killed = false;
    const acked = new Set<string>();
    const burst = keyedBurst(svc.url as string, 100, () => killed, acked);
    while (acked.size < 2000) await new Promise((r) => setTimeout(r, 10));
    svc.child.kill('SIGKILL');
    killed = true;
    const sent = await burst;
    await svc.exited;
    const left = (await storedCounts(backends.schema)).received;

    t.diagnostic(`hey: ${hey.requestsPerSecond.toFixed(0)} req/s, p99 ${hey.p99Ms.toFixed(1)} ms`);
    t.diagnostic(`killed after ${acked.size} acknowledged of ${sent} sent; ${left} left received`);
    svc = await spawnPeaklab(ARGS, { env });
    assert.ok(await waitSettled(backends.schema, 60_000), 'the restart treats what the crash left');
    const rows = await withPg(async (c) => {
      const { rows } = await c.query<{ idempotency_key: string | null; status: string }>(
        `SELECT idempotency_key, status FROM "${backends.schema}".tickets`,
      );
      return rows;
    });
    const keyed = rows.filter((r) => r.idempotency_key !== null);
    const keys = new Set(keyed.map((r) => r.idempotency_key));
    assert.equal(keys.size, keyed.length, 'no key stored twice');
    const lost = [...acked].filter((k) => !keys.has(k));
    assert.deepEqual(
      lost,
      [],
      `${acked.size} acknowledged of ${sent} sent; ${left} left received by the kill`,
    );
    assert.ok(keyed.length >= acked.size && keyed.length <= sent, 'only what was sent is stored');
    assert.ok(rows.every((r) => r.status === 'treated' || r.status === 'error'));
    assert.equal(rows.length - keyed.length, 10_000, 'the first burst is intact');
  } finally {
    await svc?.stop();
    await backends.cleanup();
  }
});
