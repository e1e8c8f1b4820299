import { DEFAULTS } from './defaults.js';
import { buildResult, withSecondTarget } from './merge.js';
import { resolveOptions } from './options.js';
import type { PartResult } from './part-result.js';
import { runPart } from './part-runner.js';
import { preflight } from './preflight.js';
import { prepareFiles } from './sinks.js';
import { runThreads } from './threads.js';
import { evaluateThresholds } from './thresholds.js';
import type { LoadHooks, LoadOptions, LoadResult } from './types.js';

/**
 * Runs one load test and resolves with its result. Bad options, an unreachable target or a bad
 * proto reject with a PeaklabError (exit code 2) before any load is sent. Thresholds are
 * evaluated into `result.thresholds`; deciding what a failure means is the caller's business.
 */
export async function runLoad(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  if (options.scenario !== undefined) {
    const { runScenario } = await import('./scenario/run.js');
    return runScenario(options, hooks);
  }
  const r = resolveOptions(options);
  await preflight(r.target, Math.min(r.timeoutMs, DEFAULTS.preflightMs));
  prepareFiles(options.jtl, options.errorsLog);
  let parts: PartResult[];
  if (r.threads === 1) {
    const withTarget = withSecondTarget(r.engine.profile, r.engine.durationMs, hooks.onSecond);
    parts = [await runPart(r, { index: 0, count: 1 }, { signal: hooks.signal, onSecond: withTarget })];
  } else {
    parts = await runThreads(r, hooks);
  }
  const result = buildResult(r, parts);
  if (r.thresholds.length > 0) result.thresholds = evaluateThresholds(result, r.thresholds);
  return result;
}
