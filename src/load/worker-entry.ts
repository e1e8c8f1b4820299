import { parentPort, workerData } from 'node:worker_threads';
import { describeError, isPeaklabError } from '../shared/errors.js';
import type { Share } from './engine.js';
import { resolveOptions } from './options.js';
import { runPart } from './part-runner.js';
import type { LoadOptions } from './types.js';

/** Messages from a load worker to the main thread. */
export type WorkerMessage =
  | { type: 'second'; second: import('./types.js').SecondStats }
  | { type: 'done'; part: import('./part-result.js').PartResult }
  | { type: 'error'; message: string; code: string | undefined };

export interface WorkerInput {
  options: LoadOptions;
  share: Share;
}

// One thread's share of a --threads run: same engine, its own histograms, merged by the main thread.
if (parentPort) {
  const port = parentPort;
  const input = workerData as WorkerInput;
  const stop = new AbortController();
  port.on('message', (m: { type: string }) => {
    if (m.type === 'stop') stop.abort();
  });
  const post = (m: WorkerMessage) => port.postMessage(m);
  try {
    const r = resolveOptions(input.options);
    const part = await runPart(r, input.share, {
      signal: stop.signal,
      onSecond: (second) => post({ type: 'second', second }),
    });
    post({ type: 'done', part });
  } catch (err) {
    post({ type: 'error', message: describeError(err), code: isPeaklabError(err) ? err.code : undefined });
  }
  port.close();
}
