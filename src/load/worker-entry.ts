import { resolveOptions } from './options.js';
import { runPart } from './part-runner.js';
import { serveWorker } from './worker-protocol.js';

// One thread's share of a --threads run: same engine, its own histograms, merged by the main thread.
await serveWorker(({ options, share }, { signal, onSecond, ready }) =>
  runPart(resolveOptions(options), share, { signal, onSecond }, ready),
);
