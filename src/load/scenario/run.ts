import { randomInt } from 'node:crypto';
import { DEFAULTS } from '../defaults.js';
import { buildResult, withSecondTarget } from '../merge.js';
import { preflight } from '../preflight.js';
import { prepareFiles } from '../sinks.js';
import { runThreads } from '../threads.js';
import { evaluateThresholds } from '../thresholds.js';
import type { LoadHooks, LoadOptions, LoadResult } from '../types.js';
import { checkScenarioFile, loadScenario } from './load-module.js';
import { mergeCounters, mergeSteps } from './merge-steps.js';
import { runScenarioPart, type ScenarioPart } from './part.js';
import { resolveScenario } from './setup.js';
import { evaluateStepThresholds } from './step-thresholds.js';

const WORKER_URL = new URL('./worker-entry.js', import.meta.url);

/**
 * Runs a scenario: the module's default export once per flow, flows arriving at the open model's
 * rate (or looped by --vus), through the same engine, accounting, thresholds and reports as single
 * requests; the result's `steps` adds per-step counts, latencies and timelines. With --threads N,
 * each worker thread loads the module and runs every N-th flow start (its share of --vus and
 * --connections); flows, steps and counters are merged into one result, as one thread's.
 * Errors (PeaklabError, exit 2) before any flow starts: bad options, an unreachable target, a
 * scenario file that is missing, does not load or has no default export function.
 */
export async function runScenario(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  // Recorded in the result, so a run's random choices can be repeated.
  const setup = resolveScenario(options, options.seed ?? randomInt(2 ** 31));
  const { r } = setup;
  // One thread runs the module here; with threads the workers load it (only they run it).
  const fn = r.threads === 1 ? await loadScenario(setup.file) : undefined;
  if (!fn) checkScenarioFile(setup.file);
  await preflight(r.target, Math.min(r.timeoutMs, DEFAULTS.preflightMs));
  prepareFiles(options.jtl, options.errorsLog);
  let parts: ScenarioPart[];
  if (fn) {
    const onSecond = withSecondTarget(r.engine.profile, r.engine.durationMs, hooks.onSecond);
    parts = [await runScenarioPart(setup, fn, { index: 0, count: 1 }, { signal: hooks.signal, onSecond })];
  } else {
    parts = await runThreads<ScenarioPart>(r, hooks, WORKER_URL);
  }
  const result = buildResult(r, parts);
  result.settings.scenario = setup.file;
  result.settings.flowTimeoutMs = setup.flowTimeoutMs;
  result.settings.seed = setup.seed;
  result.steps = mergeSteps(parts, result.timeline.length);
  result.counters = mergeCounters(parts);
  // The settings keep every threshold as given; the outcomes come flows first, then steps.
  result.settings.thresholds = options.thresholds;
  const outcomes = [
    ...evaluateThresholds(result, r.thresholds),
    ...evaluateStepThresholds(result, setup.stepThresholds),
  ];
  if (outcomes.length > 0) result.thresholds = outcomes;
  return result;
}
