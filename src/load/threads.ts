import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ERRORS, type ErrorCode, PeaklabError } from '../shared/errors.js';
import { mergeSecond, targetOf } from './merge.js';
import type { Resolved } from './options.js';
import type { PartResult } from './part-result.js';
import type { LoadHooks, SecondStats } from './types.js';
import type { ParentMessage, WorkerInput, WorkerMessage } from './worker-protocol.js';

const WORKER_URL = new URL('./worker-entry.js', import.meta.url);
/** How far ahead of "all workers ready" the shared start lies, so the message reaches every worker first. */
const START_LEAD_MS = 50;

/**
 * Runs the load on `r.threads` worker threads, each with its share of the rate (every n-th start),
 * connections and virtual users. Workers start-up at their own pace, then all start at one shared
 * instant, so their seconds line up when merged. A second is reported once every worker has closed it.
 * `entry` is the workers' module (a serveWorker of worker-protocol.ts; default: single requests),
 * given `r.options`; it resolves with what each worker measured, in thread order. The first worker
 * to fail rejects the run (a PeaklabError when the worker's error was one), and every worker is
 * terminated once the run is over, either way.
 */
export function runThreads<P extends PartResult = PartResult>(
  r: Resolved,
  hooks: LoadHooks,
  entry: URL = WORKER_URL,
): Promise<P[]> {
  const n = r.threads;
  const pending = new Map<number, SecondStats[]>();
  let nextSecond = 0;
  const durationS = (r.engine.durationMs ?? Number.POSITIVE_INFINITY) / 1000;

  const targetFor = (parts: readonly SecondStats[], second: number) =>
    parts.every((p) => p.phase === 'drain') ? 0 : targetOf(r.engine.profile, durationS, second);
  const onSecond = (s: SecondStats) => {
    const list = pending.get(s.second) ?? [];
    list.push(s);
    pending.set(s.second, list);
    while ((pending.get(nextSecond)?.length ?? 0) === n) {
      const parts = pending.get(nextSecond) as SecondStats[];
      pending.delete(nextSecond);
      hooks.onSecond?.(mergeSecond(parts, nextSecond, targetFor(parts, nextSecond)));
      nextSecond++;
    }
  };

  const workers = Array.from({ length: n }, (_, index) => {
    const input: WorkerInput = { options: r.options, share: { index, count: n } };
    return new Worker(entry, { workerData: input });
  });
  const tell = (m: ParentMessage) => {
    for (const w of workers) w.postMessage(m);
  };
  const stop = () => tell({ type: 'stop' });
  let ready = 0;
  const onReady = () => {
    if (++ready === n)
      tell({ type: 'start', epochMs: performance.timeOrigin + performance.now() + START_LEAD_MS });
  };
  hooks.signal?.addEventListener('abort', stop, { once: true });

  const runs = workers.map(
    (w) =>
      new Promise<P>((resolve, reject) => {
        let settled = false;
        w.on('message', (m: WorkerMessage<P>) => {
          if (m.type === 'second') onSecond(m.second);
          else if (m.type === 'ready') onReady();
          else if (m.type === 'done') {
            settled = true;
            resolve(m.part);
          } else {
            settled = true;
            const code = m.code && m.code in ERRORS ? (m.code as ErrorCode) : 'PL_USAGE';
            reject(new PeaklabError(code, m.message));
          }
        });
        w.on('error', (err) => {
          settled = true;
          reject(err);
        });
        w.on('exit', (code) => {
          if (!settled) reject(new Error(`load worker exited with code ${code}`));
        });
      }),
  );
  return Promise.all(runs)
    .then((parts) => {
      // Workers may end a second apart (their last responses drain at different times): report
      // the seconds only some of them reached, so onSecond still sees every second once.
      for (const second of [...pending.keys()].sort((a, b) => a - b)) {
        if (second < nextSecond) continue;
        const here = pending.get(second) as SecondStats[];
        hooks.onSecond?.(mergeSecond(here, second, targetFor(here, second)));
      }
      return parts;
    })
    .finally(() => {
      hooks.signal?.removeEventListener('abort', stop);
      for (const w of workers) void w.terminate();
    });
}
