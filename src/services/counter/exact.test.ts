import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sampleSum } from '../../platform/grpc/testing/prom.js';
import { needService, uniqueName } from '../../testing/services.js';
import type { Mode } from './ports.js';
import { problemWithTotals } from './testing/client.js';
import { exactRun } from './testing/exact-run.js';

/**
 * The proof, over gRPC with a real @grpc/grpc-js client and the shipped proto: 10,000
 * increments of 1 per mode and store, all sent at once on ONE client (one channel, one HTTP/2
 * connection; the server admits 1,000 streams at a time and the client queues the rest). Each
 * increment spans an await: one event-loop turn of simulated I/O in memory (--io-us 0: the race
 * needs only a yield, and a 1 ms timer per step would make mutex's 10,000 serial steps take 10 s),
 * a GET round trip in Redis. unsafe under the very same load proves the awaits overlap.
 */
const CALLS = 10_000;

const gate = await needService('redis');

function run(mode: Mode, store: 'memory' | 'redis') {
  return exactRun({ mode, store, calls: CALLS, redisUrl: gate.url, redisKey: uniqueName('counter_exact') });
}

// Two runs at a time, each in its own worker thread: both cores of a CI machine are used, and the
// runs bound by latency (mutex's serial steps) overlap with the others.
describe('exact increments over gRPC', { concurrency: 2, timeout: 300_000 }, () => {
  for (const store of ['memory', 'redis'] as const) {
    const skip = store === 'redis' ? gate.skip : false;
    for (const mode of ['mutex', 'inputq', 'atomic'] as const) {
      test(`${mode} over ${store}: ${CALLS} concurrent increments end at exactly ${CALLS}, Ns are 1..${CALLS}`, {
        skip,
      }, async (t) => {
        const r = await run(mode, store);
        t.diagnostic(
          `${CALLS} calls in ${r.seconds.toFixed(2)} s (${(CALLS / r.seconds).toFixed(0)} calls/s)`,
        );
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
});
