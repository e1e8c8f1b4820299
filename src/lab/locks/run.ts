import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { envWithout } from '../../config/mod.js';
import { runLoad } from '../../load/mod.js';
import { shippedProto } from '../../platform/grpc/proto.js';
import { parsePromText } from '../../scrape/mod.js';
import { COUNTER_SPEC } from '../../services/counter/config.js';
import type { Mode } from '../../services/counter/ports.js';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { PeaklabError } from '../../shared/errors.js';
import { round } from '../stats.js';
import { answerLocks } from './answer.js';
import { renderLocksReport } from './report.js';
import type { LockStep, LockStore, LocksResult, LocksSettings } from './types.js';

const CALL = 'counter.incrementCounter/increment';
/** Per call: long enough that even 1,000 VUs queued behind a 1 ms lock are answered, not timed out. */
const CALL_TIMEOUT_MS = 30_000;

export interface LocksDeps {
  /** The caller's environment: the counter children get it without the counter's own variables. */
  env: Readonly<Record<string, string | undefined>>;
  /** One line per finished step. */
  note?: (line: string) => void;
  signal?: AbortSignal;
}

interface Counter {
  svc: ChildService;
  address: string;
  metricsUrl: string;
}

/** The sum of the samples named `name` in the counter's /metrics now. */
async function scrape(c: Counter): Promise<(name: string) => number> {
  const res = await fetch(`${c.metricsUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  const samples = parsePromText(await res.text());
  return (name) => samples.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
}

async function startCounter(
  mode: Mode,
  store: LockStore,
  key: string,
  settings: LocksSettings,
  deps: LocksDeps,
): Promise<Counter> {
  const args = ['serve', 'counter', '--mode', mode, '--store', store, '--io-us', String(settings.ioUs)];
  args.push('--port', '0', '--metrics-port', '0', '--redis-key', key, '--log-level', 'info');
  if (mode === 'unsafe') args.push('--allow-unsafe');
  const env = { ...envWithout(deps.env, COUNTER_SPEC), REDIS_URL: settings.redisUrl };
  const svc = await spawnPeaklab(args, { env, timeoutMs: 60_000 });
  const address = (svc.url ?? '').replace(/^grpc:\/\//, '');
  // The metrics side port announces itself right after the gRPC server.
  const until = Date.now() + 10_000;
  for (;;) {
    const line = svc.output.find((l) => l.includes('"event":"listening"') && l.includes('"url":"http'));
    if (line !== undefined) {
      const url = (JSON.parse(line) as { url: string }).url;
      return { svc, address, metricsUrl: url };
    }
    if (Date.now() > until) {
      await svc.stop('SIGKILL');
      throw new PeaklabError('PL_CHILD_FAILED', `counter ${mode}/${store}: no metrics listening line`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function load(c: Counter, vus: number, durationMs: number, signal?: AbortSignal) {
  return runLoad(
    {
      target: `grpc://${c.address}`,
      vus,
      durationMs,
      connections: Math.ceil(vus / 100),
      timeoutMs: CALL_TIMEOUT_MS,
      grpc: { proto: shippedProto('counter.proto'), call: CALL, data: '{"value":1}' },
    },
    signal ? { signal } : {},
  );
}

async function step(
  c: Counter,
  mode: Mode,
  store: LockStore,
  vus: number,
  s: LocksSettings,
  deps: LocksDeps,
) {
  const m0 = await scrape(c);
  const r = await load(c, vus, s.stepMs, deps.signal);
  const m1 = await scrape(c);
  const before = m0('counter_value');
  const after = m1('counter_value');
  const ok = r.summary.ok;
  const applied = after - before;
  const seconds = (r.summary.durationMs + (r.summary.drainMs ?? 0)) / 1000;
  const failures: Record<string, number> = { ...r.summary.errors };
  for (const [k, v] of Object.entries(r.summary.status)) if (k !== 'OK') failures[k] = v;
  const batches = m1('counter_inputq_batch_size_count') - m0('counter_inputq_batch_size_count');
  const batched = m1('counter_inputq_batch_size_sum') - m0('counter_inputq_batch_size_sum');
  const p = r.latency.percentiles;
  return {
    mode,
    store,
    vus,
    ok,
    failed: r.summary.failed,
    failures,
    seconds: round(seconds, 3),
    throughput: round(ok / Math.max(seconds, 1e-9), 1),
    p50: round(p.p50 ?? 0, 2),
    p95: round(p.p95 ?? 0, 2),
    p99: round(p.p99 ?? 0, 2),
    before,
    after,
    applied,
    lost: ok - applied,
    exact: applied === ok,
    meanBatch: mode === 'inputq' && batches > 0 ? round(batched / batches, 1) : null,
  } satisfies LockStep;
}

/** Deletes the lab's Redis keys; a failure here is only noted (the numbers are already taken). */
async function dropKeys(url: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.del(...keys);
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
}

/**
 * `peaklab lab locks`: for each store and mode, starts `peaklab serve counter`, warms it up, then
 * runs one closed-model step per VU level and records throughput, latency and correctness (the
 * counter's own total before and after, against the OK responses). Writes results.json and
 * report.html to settings.outDir. Throws PL_CHILD_FAILED / PL_BACKEND_UNAVAILABLE (a counter that
 * does not start, e.g. no Redis at REDIS_URL); every child is stopped on the way out.
 */
export async function runLocks(
  settings: LocksSettings,
  deps: LocksDeps,
): Promise<{ result: LocksResult; files: { report: string; results: string } }> {
  const startedAt = new Date().toISOString();
  const loadAverageBefore = loadavg().map((l) => round(l, 2));
  const steps: LockStep[] = [];
  const keys: string[] = [];
  const prefix = `peaklab:lab-locks:${Date.now().toString(36)}`;
  try {
    for (const store of settings.stores) {
      for (const mode of settings.modes) {
        const key = `${prefix}:${mode}`;
        if (store === 'redis') keys.push(key);
        const counter = await startCounter(mode, store, key, settings, deps);
        try {
          // JIT and connection warm-up, not recorded: before/after reads make it harmless.
          await load(counter, settings.vus[0]!, Math.min(500, settings.stepMs), deps.signal);
          for (const vus of settings.vus) {
            if (deps.signal?.aborted) throw new PeaklabError('PL_INTERRUPTED', 'lab locks: interrupted');
            const s = await step(counter, mode, store, vus, settings, deps);
            steps.push(s);
            deps.note?.(
              `${store.padEnd(6)} ${mode.padEnd(6)} ${String(vus).padStart(5)} VUs  ${String(Math.round(s.throughput)).padStart(6)} it/s  ` +
                `p99 ${s.p99} ms  ok ${s.ok}  applied ${s.applied}  lost ${s.lost}${s.failed ? `  failed ${s.failed}` : ''}`,
            );
          }
        } finally {
          await counter.svc.stop('SIGTERM');
        }
      }
    }
  } finally {
    await dropKeys(settings.redisUrl, keys);
  }
  const result: LocksResult = {
    schema: 'peaklab.lab-locks/v1',
    startedAt,
    settings,
    environment: {
      node: process.version,
      cores: availableParallelism(),
      loadAverageBefore,
      loadAverageAfter: loadavg().map((l) => round(l, 2)),
    },
    steps,
    answers: answerLocks(steps),
  };
  await mkdir(settings.outDir, { recursive: true });
  const files = {
    report: join(settings.outDir, 'report.html'),
    results: join(settings.outDir, 'results.json'),
  };
  await writeFile(files.results, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files.report, renderLocksReport(result));
  return { result, files };
}
