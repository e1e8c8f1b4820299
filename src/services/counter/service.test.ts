import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ServiceError, status } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import type { CallOutcome } from '../../platform/grpc/mod.js';
import { check, healthClient } from '../../platform/grpc/testing/health-client.js';
import { sampleSum } from '../../platform/grpc/testing/prom.js';
import { isPeaklabError } from '../../shared/errors.js';
import { needService, uniqueName } from '../../testing/services.js';
import { startCounter } from './service.js';
import { counterClient, increment, parseTotal, problemWithTotals } from './testing/client.js';

test("the seed's k6 pattern: 100 concurrent clients, each connecting, calling once and closing, 5 rounds", async () => {
  const counter = await startCounter({ mode: 'inputq', store: 'memory', port: 0, metricsPort: 0 });
  try {
    const totals: bigint[] = [];
    // Like k6's VUs: each iteration is a new connection, one invoke, then close.
    const vu = async () => {
      for (let i = 0; i < 5; i++) {
        const client = counterClient(counter.address);
        try {
          totals.push(parseTotal(await increment(client, 1)));
        } finally {
          client.close();
        }
      }
    };
    await Promise.all(Array.from({ length: 100 }, vu));
    assert.equal(problemWithTotals(totals, 500), undefined);
  } finally {
    await counter.close();
  }
});

test('health answers SERVING for the server and the counter service; metrics count every call', async () => {
  const counter = await startCounter({ mode: 'atomic', store: 'memory', port: 0, metricsPort: 0 });
  const health = healthClient(counter.address);
  const client = counterClient(counter.address);
  try {
    assert.equal(await check(health, ''), 'SERVING');
    assert.equal(await check(health, 'counter.incrementCounter'), 'SERVING');
    assert.equal(await check(health, 'counter.Other'), status.NOT_FOUND);
    let ok = 0;
    let invalid = 0;
    for (let i = 0; i < 137; i++) {
      if (i % 10 === 3) {
        await assert.rejects(increment(client, -5), { code: status.INVALID_ARGUMENT });
        invalid++;
      } else {
        await increment(client, 2);
        ok++;
      }
    }
    const res = await fetch(`${counter.metricsUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    const inc = { grpc_service: 'counter.incrementCounter', grpc_method: 'increment' };
    assert.equal(sampleSum(text, 'grpc_server_handled_total', { ...inc, grpc_code: 'OK' }), ok);
    assert.equal(
      sampleSum(text, 'grpc_server_handled_total', { ...inc, grpc_code: 'InvalidArgument' }),
      invalid,
    );
    assert.equal(sampleSum(text, 'grpc_server_started_total', inc), ok + invalid);
    assert.equal(sampleSum(text, 'grpc_server_handling_seconds_count', inc), ok + invalid);
    assert.equal(sampleSum(text, 'grpc_server_handled_total', { grpc_service: 'grpc.health.v1.Health' }), 3);
    assert.equal(sampleSum(text, 'counter_value'), 2 * ok);
    assert.equal(sampleSum(text, 'counter_pending'), 0);
    assert.equal((await fetch(`${counter.metricsUrl}/other`)).status, 404);
  } finally {
    health.close();
    client.close();
    await counter.close();
  }
});

test('graceful shutdown drains the calls in flight: all answered, all counted, new calls refused', async () => {
  // 2 ms per increment under the lock: 100 calls need about 200 ms to drain.
  const counter = await startCounter({ mode: 'mutex', store: 'memory', ioUs: 2000, port: 0, metricsPort: 0 });
  const client = counterClient(counter.address);
  const health = healthClient(counter.address);
  try {
    await increment(client, 1);
    const calls = Array.from({ length: 100 }, () => increment(client, 1));
    await waitFor(
      async () => sampleSum(await scrape(counter.metricsUrl), 'grpc_server_started_total') >= 101,
    );
    const settled = Promise.allSettled(calls);
    const report = await counter.close();
    const replies = await settled;
    const totals = replies.map((r) => (r.status === 'fulfilled' ? parseTotal(r.value) : undefined));
    assert.ok(
      totals.every((t) => t !== undefined),
      'every call in flight must be answered',
    );
    assert.equal(problemWithTotals([1n, ...(totals as bigint[])], 101), undefined);
    assert.deepEqual(report, { clean: true, dropped: [], failed: [] });
    await assert.rejects(increment(client, 1, 2000), (err: ServiceError) => err.code !== status.OK);
    assert.equal(await counter.close(), report, 'close is idempotent');
  } finally {
    health.close();
    client.close();
  }
});

test('shutdown past its deadline cuts off and counts: each call one answer, the cut-off ones UNAVAILABLE', async () => {
  // inputq, batches of 1 taking 50 ms each, a 200 ms deadline: most of 40 queued calls cannot drain.
  const counter = await startCounter({
    mode: 'inputq',
    store: 'memory',
    ioUs: 50_000,
    batchMax: 1,
    drainTimeout: 200,
    port: 0,
    metricsPort: 0,
  });
  const client = counterClient(counter.address);
  try {
    const calls = Array.from({ length: 40 }, () => increment(client, 1));
    await waitFor(
      async () => sampleSum(await scrape(counter.metricsUrl), 'grpc_server_started_total') === 40,
    );
    const settled = Promise.allSettled(calls);
    const report = await counter.close();
    const replies = await settled;
    const ok = replies.filter((r) => r.status === 'fulfilled').length;
    const codes = replies.flatMap((r) => (r.status === 'rejected' ? [(r.reason as ServiceError).code] : []));
    const dropped = (unit: string) => report.dropped.find((d) => d.unit === unit)?.count ?? 0;
    assert.equal(report.clean, false);
    assert.ok(dropped('calls') > 0, 'calls cut off at the deadline are counted');
    assert.ok(dropped('increments') > 0, 'queued increments past the deadline are dropped and counted');
    assert.ok(ok < 40 && ok > 0, `${ok} answered`);
    assert.ok(
      codes.every((c) => c === status.UNAVAILABLE),
      `codes ${codes.join(',')}`,
    );
    // Cut-off calls either never ran (dropped) or ran in the batch under way at the deadline: so
    // the calls answered OK are a subset of what was applied, and the rest was dropped.
    assert.equal(dropped('calls'), 40 - ok);
    assert.ok(dropped('increments') <= 40 - ok);
  } finally {
    client.close();
  }
});

test('configuration is checked once, with every problem on one line; unsafe needs allowUnsafe', async () => {
  await assert.rejects(startCounter({ mode: 'unsafe', port: 0, metricsPort: 0 }), (err: unknown) => {
    assert.ok(isPeaklabError(err, 'PL_CONFIG_INVALID'));
    assert.match(err.message, /--mode unsafe loses updates on purpose; it runs only with --allow-unsafe/);
    return true;
  });
  await assert.rejects(
    startCounter({
      mode: 'atomic',
      ioUs: -1,
      port: 70_000,
      metricsPort: 0,
      batchMax: 0,
      redisUrl: 'http://x',
      store: 'redis',
    }),
    (err: unknown) => {
      assert.ok(isPeaklabError(err, 'PL_CONFIG_INVALID'));
      assert.match(err.message, /--io-us: must be at least 0/);
      assert.match(err.message, /--port: must be at most 65535/);
      assert.match(err.message, /--batch-max: must be at least 1/);
      assert.match(err.message, /--redis-url: "http:\/\/x\/?" must start with redis:\/\//);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    },
  );
  // A Redis that is not there: a clear error within the bound, and nothing left listening.
  const t0 = Date.now();
  await assert.rejects(
    startCounter({
      mode: 'atomic',
      store: 'redis',
      redisUrl: 'redis://127.0.0.1:1',
      redisTimeout: 500,
      port: 0,
      metricsPort: 0,
    }),
    (err: unknown) =>
      isPeaklabError(err, 'PL_BACKEND_UNAVAILABLE') && /Redis at 127\.0\.0\.1:1/.test(err.message),
  );
  assert.ok(Date.now() - t0 < 5000);
});

const redisGate = await needService('redis');

test('over Redis: the key holds every increment; the per-call hook sees every outcome', {
  skip: redisGate.skip,
}, async () => {
  const redis = new Redis(redisGate.url, { stringNumbers: true, maxRetriesPerRequest: 1 });
  const redisKey = uniqueName('counter_injected');
  const outcomes: CallOutcome[] = [];
  const counter = await startCounter(
    { mode: 'mutex', store: 'redis', redisUrl: redisGate.url, redisKey, port: 0, metricsPort: 0 },
    { observer: () => (o) => void outcomes.push(o) },
  );
  const client = counterClient(counter.address);
  try {
    assert.match(counter.description, /mode mutex \(exact: .*\), store redis \S+ key counter_injected/);
    assert.equal(counter.url, `grpc://${counter.address}`);
    const totals = await Promise.all(
      Array.from({ length: 100 }, () => increment(client, 1).then(parseTotal)),
    );
    assert.equal(problemWithTotals(totals, 100), undefined);
    await assert.rejects(increment(client, -1), { code: status.INVALID_ARGUMENT });
  } finally {
    client.close();
    await counter.close();
  }
  try {
    assert.equal(await redis.get(redisKey), '100');
    assert.equal(outcomes.length, 101);
    assert.equal(outcomes.filter((o) => o.code === status.OK).length, 100);
    assert.equal(outcomes.find((o) => o.code !== status.OK)?.details, 'Value cannot be negative');
  } finally {
    await redis.del(redisKey);
    redis.disconnect();
  }
});

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
