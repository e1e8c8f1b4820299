import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsMsg } from '@nats-io/jetstream';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { testBackends, withJsm } from '../../testing/backends.js';
import { childEnv } from '../../testing/env.js';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { missingFrom, waitFor } from '../../testing/wait.js';
import { sendConcurrently } from './testing/closed-loop.js';
import { postOrder, storedOrders } from './testing/harness.js';

const pgGate = await needService('postgres');
const natsGate = await needService('nats');

const DIRECT = ['serve', 'orders', '--port', '0', '--mode', 'direct', '--process-rps', '0'];

function events(svc: ChildService): string[] {
  return svc.output
    .filter((l) => l.startsWith('{'))
    .map((l) => String((JSON.parse(l) as { event?: unknown }).event));
}

test('shutdown: SIGTERM finishes the requests in flight, refuses new ones, and exits 0', {
  skip: pgGate.skip,
  timeout: 30_000,
}, async () => {
  const backends = testBackends('shutdown');
  const svc = await spawnPeaklab([...DIRECT, '--work-ms', '600'], { env: childEnv(backends.env) });
  try {
    const url = svc.url as string;
    const inFlight = Array.from({ length: 5 }, () => postOrder(url));
    await new Promise((r) => setTimeout(r, 200)); // all five are inside their 600 ms of work
    const exited = svc.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const late = await postOrder(url).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.notEqual(late, 200, 'no new order is accepted while stopping');
    const answers = await Promise.all(inFlight);
    for (const a of answers) assert.equal(a.status, 200, 'a request in flight is finished');
    assert.equal(await exited, 0, 'exit 0: the shutdown completed (a failed one exits 1)');
    const rows = await storedOrders(backends.schema);
    assert.deepEqual(
      [...rows.keys()].sort(),
      answers.map((a) => a.body.id).sort(),
      'and their rows are committed',
    );
  } finally {
    await svc.stop('SIGKILL');
    await backends.cleanup();
  }
});

test('shutdown: SIGINT is a graceful stop too; a second signal forces exit 1', {
  skip: pgGate.skip,
  timeout: 30_000,
}, async () => {
  const backends = testBackends('sigint');
  const env = childEnv({ ...backends.env, LOG_LEVEL: 'info' });
  const calm = await spawnPeaklab([...DIRECT, '--work-ms', '0'], { env });
  const slow = await spawnPeaklab([...DIRECT, '--work-ms', '20000'], { env });
  try {
    assert.equal(await calm.stop('SIGINT'), 0);
    assert.deepEqual(events(calm).slice(-2), ['stopping', 'stopped']);

    // One request inside its 20 s of work holds the graceful stop; the second signal cuts it short.
    const pending = postOrder(slow.url as string).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const exited = slow.stop('SIGTERM');
    await waitFor(async () => events(slow).includes('stopping'), 5000, 20);
    slow.child.kill('SIGINT');
    assert.equal(await exited, 1, 'forced exit is 1, not killed by the signal');
    assert.ok(Date.now() - started < 5000, 'without waiting for the work in flight');
    assert.ok(events(slow).includes('forced'));
    await pending;
  } finally {
    await Promise.all([calm.stop('SIGKILL'), slow.stop('SIGKILL')]);
    await backends.cleanup();
  }
});

test('shutdown (queue): SIGTERM with a backlog exits 0 and releases its messages; a new worker drains the rest', {
  skip: pgGate.skip || natsGate.skip,
  timeout: 90_000,
}, async (t) => {
  const backends = testBackends('qstop');
  const serve = ['serve', 'orders', '--port', '0', '--mode', 'queue', '--workers', '8'];
  let svc: ChildService | undefined;
  let worker: ChildService | undefined;
  try {
    // 8 workers, 50 processed per second: the intake runs well ahead, so a backlog builds.
    svc = await spawnPeaklab([...serve, '--process-rps', '50', '--work-ms', '20'], {
      env: childEnv(backends.env),
    });
    let stopping = false;
    const acked: string[] = [];
    const load = sendConcurrently([svc.url as string], 2000, 16, () => stopping, acked);
    await waitFor(async () => acked.length >= 600, 30_000, 10);
    stopping = true;
    assert.equal(await svc.stop('SIGTERM'), 0, 'exit 0 with orders in flight');
    const { ok, failed } = await load;

    // Released at once, not left to the 10 s ack wait: a fetch right now gets every message left.
    const atStop = await storedOrders(backends.schema);
    const { left, fetched } = await withJsm(async (jsm, js) => {
      const info = await jsm.consumers.info(backends.stream, 'orders-workers');
      const left = info.num_pending + info.num_ack_pending;
      const batch = await (await js.consumers.get(backends.stream, 'orders-workers')).fetch({
        max_messages: left,
        expires: 2000,
      });
      const held: JsMsg[] = [];
      for await (const m of batch) held.push(m);
      for (const m of held) m.nak(); // back for the next worker
      return { left, fetched: held.length };
    });
    assert.ok(left > 0, `a backlog was left (${left})`);
    assert.equal(fetched, left, 'every message left is available now, none held until the ack wait');
    t.diagnostic(
      `acked ${ok.length}, failed ${failed.length}, processed before stop ${atStop.size}, left ${left}`,
    );

    worker = await spawnPeaklab(['worker', 'orders', '--port', '0', '--process-rps', '0', '--work-ms', '0'], {
      env: childEnv(backends.env),
    });
    const drained = await waitFor(
      async () => missingFrom(await storedOrders(backends.schema), ok).length === 0,
      30_000,
      200,
    );
    assert.ok(drained, 'every acknowledged order is processed by the new worker');
    const rows = await storedOrders(backends.schema);
    const okSet = new Set(ok);
    const failedSet = new Set(failed);
    for (const id of rows.keys()) assert.ok(okSet.has(id) || failedSet.has(id), `row ${id} was sent`);
    const text = await scrape(worker.url as string);
    assert.equal(
      metricValue(text, 'orders_duplicates_total'),
      0,
      'nothing processed before the stop ran again',
    );
    assert.equal(metricValue(text, 'work_done_total{status="done"}'), rows.size - atStop.size);
  } finally {
    await Promise.all([svc?.stop('SIGKILL'), worker?.stop('SIGKILL')]);
    await backends.cleanup();
  }
});
