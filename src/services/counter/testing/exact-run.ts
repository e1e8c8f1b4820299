import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { sampleSum } from '../../../platform/grpc/testing/prom.js';
import type { Mode } from '../ports.js';
import { startCounter } from '../service.js';
import { counterClient, hammer } from './client.js';

export interface ExactRunInput {
  mode: Mode;
  store: 'memory' | 'redis';
  calls: number;
  redisUrl: string;
  redisKey: string;
}

export interface ExactRunResult {
  totals: bigint[];
  errors: number[];
  /** The total as the store holds it after the run (the Redis key, or counter_value). */
  final: bigint;
  seconds: number;
  /** The service's /metrics text after the run. */
  scrape: string;
}

/**
 * One exact-test run: a counter (port 0, --io-us 0) and one @grpc/grpc-js client sending all
 * `calls` increments of 1 at once. In a worker thread: node:test's async hooks (it tracks every
 * promise of a test) would otherwise double the CPU cost of 10,000 calls; a worker has none.
 */
export function exactRun(input: ExactRunInput): Promise<ExactRunResult> {
  const worker = new Worker(new URL(import.meta.url), { workerData: input });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { ok: ExactRunResult } | { error: string }) =>
      'ok' in m ? resolve(m.ok) : reject(new Error(m.error)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`exact-run worker exited with ${code}`)));
  });
}

async function inWorker(input: ExactRunInput): Promise<ExactRunResult> {
  const { mode, store, calls, redisUrl, redisKey } = input;
  const counter = await startCounter({
    mode,
    store,
    ioUs: 0,
    port: 0,
    metricsPort: 0,
    allowUnsafe: mode === 'unsafe',
    redisUrl,
    redisKey,
    queueCapacity: calls,
  });
  const client = counterClient(counter.address);
  const t0 = performance.now();
  try {
    const { totals, errors } = await hammer(client, { calls, concurrency: calls, deadlineMs: 120_000 });
    const seconds = (performance.now() - t0) / 1000;
    const scrape = await (await fetch(`${counter.metricsUrl}/metrics`)).text();
    let final = BigInt(sampleSum(scrape, 'counter_value'));
    if (store === 'redis') {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      try {
        final = BigInt((await redis.get(redisKey)) ?? '0');
        await redis.del(redisKey);
      } finally {
        redis.disconnect();
      }
    }
    return { totals, errors, final, seconds, scrape };
  } finally {
    client.close();
    await counter.close();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  inWorker(workerData as ExactRunInput).then(
    (ok) => port.postMessage({ ok }),
    (err: unknown) =>
      port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
}
