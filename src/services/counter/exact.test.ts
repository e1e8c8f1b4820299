import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { sampleSum } from '../../platform/grpc/testing/prom.js';
import { needService, uniqueName } from '../../testing/services.js';
import type { Mode } from './ports.js';
import { startCounter } from './service.js';
import { counterClient, hammer, problemWithTotals } from './testing/client.js';

/**
 * The proof, over gRPC with a real @grpc/grpc-js client and the shipped proto: 10,000
 * increments of 1 per mode and store. The client keeps CONCURRENCY calls in flight (a closed
 * model), which is plenty to race: each increment spans an await (50 µs of simulated I/O in
 * memory, a GET round trip in Redis), so dozens of them overlap at every moment.
 */
const CALLS = 10_000;
const CONCURRENCY = 64;

const gate = await needService('redis');
const redis = gate.skip ? undefined : new Redis(gate.url, { stringNumbers: true, maxRetriesPerRequest: 1 });
after(() => redis?.disconnect());

async function run(mode: Mode, store: 'memory' | 'redis') {
  const redisKey = uniqueName('counter_exact');
  const counter = await startCounter({
    mode,
    store,
    ioUs: 50,
    port: 0,
    metricsPort: 0,
    allowUnsafe: mode === 'unsafe',
    redisUrl: gate.url,
    redisKey,
  });
  const client = counterClient(counter.address);
  const t0 = performance.now();
  try {
    const { totals, errors } = await hammer(client, { calls: CALLS, concurrency: CONCURRENCY });
    const seconds = (performance.now() - t0) / 1000;
    const scrape = await (await fetch(`${counter.metricsUrl}/metrics`)).text();
    const final =
      store === 'redis'
        ? BigInt((await redis!.get(redisKey)) ?? '0')
        : BigInt(sampleSum(scrape, 'counter_value'));
    return { totals, errors, final, seconds, scrape };
  } finally {
    client.close();
    await counter.close();
    if (store === 'redis') await redis!.del(redisKey);
  }
}

for (const store of ['memory', 'redis'] as const) {
  const skip = store === 'redis' ? gate.skip : false;
  for (const mode of ['mutex', 'inputq', 'atomic'] as const) {
    test(`${mode} over ${store}: ${CALLS} concurrent increments end at exactly ${CALLS}, Ns are 1..${CALLS}`, {
      skip,
    }, async (t) => {
      const r = await run(mode, store);
      t.diagnostic(`${CALLS} calls in ${r.seconds.toFixed(2)} s (${(CALLS / r.seconds).toFixed(0)} calls/s)`);
      assert.deepEqual(r.errors, []);
      assert.equal(r.final, BigInt(CALLS));
      assert.equal(problemWithTotals(r.totals, CALLS), undefined);
      assert.equal(
        sampleSum(r.scrape, 'grpc_server_handled_total', { grpc_method: 'increment', grpc_code: 'OK' }),
        CALLS,
      );
      if (mode === 'inputq') {
        // The owner batched: every increment went through a batch, in fewer round trips than calls.
        const batches = sampleSum(r.scrape, 'counter_inputq_batch_size_count');
        t.diagnostic(`${batches} batches, ${(CALLS / batches).toFixed(1)} increments per round trip`);
        assert.equal(sampleSum(r.scrape, 'counter_inputq_batch_size_sum'), CALLS);
        assert.ok(batches < CALLS, 'no batch held more than one increment');
      }
    });
  }

  // unsafe exists to show the race the other modes prevent: under the very same load it must lose
  // updates. If this test ever sees all 10,000 kept, the load no longer overlaps the awaits and
  // the exact tests above prove nothing either.
  test(`unsafe over ${store}: the same load LOSES updates (the point of the mode)`, { skip }, async (t) => {
    const r = await run('unsafe', store);
    t.diagnostic(`unsafe kept ${r.final} of ${CALLS} increments`);
    assert.deepEqual(r.errors, []);
    assert.equal(r.totals.length, CALLS, 'every call is answered: unsafe is wrong, not failing');
    assert.ok(r.final < BigInt(CALLS), `final ${r.final}: no update was lost`);
    assert.ok(new Set(r.totals).size < CALLS, 'some callers must have been told the same N');
  });
}
