import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { describeError, isPeaklabError } from '../shared/errors.js';
import type { Share } from './engine.js';
import type { PartResult } from './part-result.js';
import type { LoadOptions, SecondStats } from './types.js';

/** Messages from a load worker to the main thread; `part` is what the worker measured. */
export type WorkerMessage<P extends PartResult = PartResult> =
  | { type: 'ready' }
  | { type: 'second'; second: SecondStats }
  | { type: 'done'; part: P }
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

/** What a worker's run gets: the stop signal, where its seconds go, and the wait for the shared start. */
export interface WorkerHooks {
  signal: AbortSignal;
  onSecond: (s: SecondStats) => void;
  /** Says "ready" to the main thread, and resolves with the shared t0 (this thread's clock). */
  ready: () => Promise<number>;
}

/**
 * The worker side of a --threads run (threads.ts is the other): runs `run` on this worker's input,
 * relays its seconds, and posts its part, or its error (code and message, for a PeaklabError in the
 * main thread), then closes the port. Does nothing on the main thread.
 */
export async function serveWorker<P extends PartResult>(
  run: (input: WorkerInput, hooks: WorkerHooks) => Promise<P>,
): Promise<void> {
  if (!parentPort) return;
  const port = parentPort;
  const input = workerData as WorkerInput;
  const stop = new AbortController();
  let onStart: ((t0: number) => void) | undefined;
  port.on('message', (m: ParentMessage) => {
    if (m.type === 'stop') stop.abort();
    else onStart?.(m.epochMs - performance.timeOrigin);
  });
  const post = (m: WorkerMessage<P>) => port.postMessage(m);
  const ready = () =>
    new Promise<number>((resolve) => {
      onStart = resolve;
      post({ type: 'ready' });
    });
  try {
    const part = await run(input, {
      signal: stop.signal,
      onSecond: (second) => post({ type: 'second', second }),
      ready,
    });
    // Histograms cross threads encoded: the live ones stay here.
    const { live: _live, ...sent } = part;
    post({ type: 'done', part: sent as P });
  } catch (err) {
    post({ type: 'error', message: describeError(err), code: isPeaklabError(err) ? err.code : undefined });
  }
  port.close();
}
