import { serveWorker } from '../worker-protocol.js';
import { loadScenario } from './load-module.js';
import { runScenarioPart } from './part.js';
import { resolveScenario } from './setup.js';

// One thread's share of a scenario run with --threads: the module is loaded here, in the thread
// that runs its flows; a module that fails to load fails the run (PL_FILE_INVALID) before any start.
await serveWorker(async ({ options, share }, { signal, onSecond, ready }) => {
  // The main thread chose the seed (options.seed), so every thread draws from the same one.
  const setup = resolveScenario(options, options.seed ?? 0);
  const fn = await loadScenario(setup.file);
  return runScenarioPart(setup, fn, share, { signal, onSecond }, ready);
});
