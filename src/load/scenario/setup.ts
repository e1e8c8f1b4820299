import { PeaklabError } from '../../shared/errors.js';
import { type Resolved, resolveOptions } from '../options.js';
import type { LoadOptions } from '../types.js';
import { type StepThreshold, splitThresholds } from './step-thresholds.js';

/** A flow's bound when --flow-timeout is not given (ms): it also bounds the drain after the schedule. */
export const DEFAULT_FLOW_TIMEOUT_MS = 30_000;

/** A scenario run's options, checked and completed: the same on the main thread and in every worker. */
export interface ScenarioSetup {
  /** The run's resolved options; its thresholds are the flows' (the steps' are in `stepThresholds`). */
  r: Resolved;
  file: string;
  flowTimeoutMs: number;
  seed: number;
  stepThresholds: StepThreshold[];
}

function usage(message: string): PeaklabError {
  return new PeaklabError('PL_USAGE', message);
}

/** Options that mean nothing for a scenario (its steps say method, body and path) are refused. */
function checkScenarioOptions(o: LoadOptions): void {
  if (o.method !== undefined)
    throw usage("--method is for single requests; a scenario's steps give their methods");
  if (o.body !== undefined)
    throw usage("--body is for single requests; a scenario's steps give their bodies");
  if (o.templateBody) throw usage('--template-body is for single requests, not --scenario');
  if (o.grpc) throw usage('--scenario runs HTTP steps; it takes no --proto/--call');
  if (o.flowTimeoutMs !== undefined && !(o.flowTimeoutMs > 0)) throw usage('--flow-timeout must be positive');
  if (/\{\{/.test(o.target))
    throw usage("with --scenario the URL is the base of the steps' paths: no {{templates}}");
}

/**
 * Checks a scenario run's options (PeaklabError, exit 2) and resolves them. `seed` is the run's seed,
 * chosen by the caller when the options give none, so every thread draws from the same one.
 */
export function resolveScenario(options: LoadOptions, seed: number): ScenarioSetup {
  checkScenarioOptions(options);
  const flowTimeoutMs = options.flowTimeoutMs ?? Math.max(DEFAULT_FLOW_TIMEOUT_MS, options.timeoutMs ?? 0);
  const split = splitThresholds(options.thresholds ?? []);
  // --threads above --connections or --vus is refused here, with the same words as single requests.
  const r = resolveOptions({ ...options, seed, thresholds: split.flows });
  if (r.target.protocol !== 'http') throw usage('--scenario needs an http(s):// target');
  // A flow has several steps: after the schedule, flows get their own bound to finish.
  r.engine.drainMs = flowTimeoutMs + 1000;
  return { r, file: options.scenario as string, flowTimeoutMs, seed, stepThresholds: split.steps };
}
