import { DEFAULTS } from './defaults.js';
import { buildResult, targetOf } from './merge.js';
import { resolveOptions } from './options.js';
import type { PartResult } from './part-result.js';
import { runPart } from './part-runner.js';
import { preflight } from './preflight.js';
import { prepareFiles } from './sinks.js';
import { runThreads } from './threads.js';
import { evaluateThresholds } from './thresholds.js';
import type { LoadHooks, LoadOptions, LoadResult, SecondStats } from './types.js';

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
    const durationS = (r.engine.durationMs ?? Number.POSITIVE_INFINITY) / 1000;
    const onSecond = hooks.onSecond;
    const withTarget =
      onSecond &&
      ((s: SecondStats) => {
        // The drain starts nothing: its target is 0 whatever the profile would ask for.
        s.target = s.phase === 'drain' ? 0 : targetOf(r.engine.profile, durationS, s.second);
        onSecond(s);
      });
    parts = [await runPart(r, { index: 0, count: 1 }, { signal: hooks.signal, onSecond: withTarget })];
  } else {
    parts = await runThreads(r, hooks);
  }
  const result = buildResult(r, parts);
  if (r.thresholds.length > 0) result.thresholds = evaluateThresholds(result, r.thresholds);
  return result;
}
