import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { testBackends } from '../../testing/backends.js';
import { childEnv } from '../../testing/env.js';
import { needService } from '../../testing/services.js';
import { sendConcurrently } from './testing/closed-loop.js';
import { storedOrders } from './testing/harness.js';

const pgGate = await needService('postgres');

/** Queue mode on the in-process queue (no NATS_URL): the backlog lives only in this process. */
const SERVE = ['serve', 'orders', '--port', '0', '--mode', 'queue', '--workers', '8', '--work-ms', '0'];

function logEvents(svc: ChildService): Array<Record<string, unknown>> {
  return svc.output.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('drain (in-process queue): SIGTERM works off every acknowledged order before exiting 0', {
  skip: pgGate.skip,
  timeout: 60_000,
}, async (t) => {
  const backends = testBackends('drain');
  // 50 processed per second against a burst of 400: a backlog of seconds at the SIGTERM.
  const svc = await spawnPeaklab([...SERVE, '--process-rps', '50'], {
    env: childEnv({ ...backends.env, NATS_URL: undefined }),
  });
  try {
    const { ok, failed } = await sendConcurrently([svc.url as string], 400, 32);
    assert.deepEqual(failed, []);
    const atStop = (await storedOrders(backends.schema)).size;
    assert.ok(
      atStop <= ok.length - 100,
      `a backlog was waiting at the stop (${atStop} of ${ok.length} done)`,
    );
    const started = Date.now();
    assert.equal(await svc.stop('SIGTERM'), 0, 'exit 0: nothing was dropped');
    t.diagnostic(`drained ${ok.length - atStop} orders in ${Date.now() - started} ms`);
    const rows = await storedOrders(backends.schema);
    assert.deepEqual([...rows.keys()].sort(), [...ok].sort(), 'a row for every acknowledged order');
    assert.equal(logEvents(svc).filter((e) => e.event === 'dropped').length, 0);
  } finally {
    await svc.stop('SIGKILL');
    await backends.cleanup();
  }
});

test('drain (in-process queue): past --drain-timeout it logs how many orders it dropped and exits non-zero', {
  skip: pgGate.skip,
  timeout: 60_000,
}, async () => {
  const backends = testBackends('dropped');
  const svc = await spawnPeaklab([...SERVE, '--process-rps', '20', '--drain-timeout', '1s'], {
    env: childEnv({ ...backends.env, NATS_URL: undefined }),
  });
  try {
    const { ok, failed } = await sendConcurrently([svc.url as string], 200, 32);
    assert.deepEqual(failed, []);
    const started = Date.now();
    const code = await svc.stop('SIGTERM');
    const elapsed = Date.now() - started;
    assert.notEqual(code, 0, 'an unclean stop is not exit 0');
    assert.ok(elapsed < 8000, `it stopped at the deadline, not after the backlog (${elapsed} ms)`);
    const dropped = logEvents(svc).filter((e) => e.event === 'dropped');
    assert.equal(dropped.length, 1, 'one dropped line');
    const n = dropped[0]?.orders;
    assert.equal(typeof n, 'number');
    const rows = await storedOrders(backends.schema);
    assert.ok((n as number) > 0);
    assert.equal(rows.size + (n as number), ok.length, 'processed + dropped = acknowledged');
  } finally {
    await svc.stop('SIGKILL');
    await backends.cleanup();
  }
});
