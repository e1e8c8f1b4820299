import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { describeError, isPeaklabError } from '../shared/errors.js';
import type { Share } from './engine.js';
import { resolveOptions } from './options.js';
import type { PartResult } from './part-result.js';
import { runPart } from './part-runner.js';
import type { LoadOptions, SecondStats } from './types.js';

/** Messages from a load worker to the main thread. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'second'; second: SecondStats }
  | { type: 'done'; part: PartResult }
  | { type: 'error'; message: string; code: string | undefined };

/**
 * Messages from the main thread. `start` carries the shared start as epoch ms
 * (performance.timeOrigin + performance.now()), which every thread converts to its own clock.
 */
export type ParentMessage = { type: 'stop' } | { type: 'start'; epochMs: number };

export interface WorkerInput {
  options: LoadOptions;
  share: Share;
}

// One thread's share of a --threads run: same engine, its own histograms, merged by the main thread.
if (parentPort) {
  const port = parentPort;
  const input = workerData as WorkerInput;
  const stop = new AbortController();
  let onStart: ((t0: number) => void) | undefined;
  port.on('message', (m: ParentMessage) => {
    if (m.type === 'stop') stop.abort();
    else onStart?.(m.epochMs - performance.timeOrigin);
  });
  const post = (m: WorkerMessage) => port.postMessage(m);
  const ready = () =>
    new Promise<number>((resolve) => {
      onStart = resolve;
      post({ type: 'ready' });
    });
  try {
    const r = resolveOptions(input.options);
    const part = await runPart(
      r,
      input.share,
      { signal: stop.signal, onSecond: (second) => post({ type: 'second', second }) },
      ready,
    );
    // Histograms cross threads encoded: the live ones stay here.
    const { live: _live, ...sent } = part;
    post({ type: 'done', part: sent });
  } catch (err) {
    post({ type: 'error', message: describeError(err), code: isPeaklabError(err) ? err.code : undefined });
  }
  port.close();
}
