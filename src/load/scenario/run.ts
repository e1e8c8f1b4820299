import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PeaklabError } from '../../shared/errors.js';
import { DEFAULTS } from '../defaults.js';
import { runEngine } from '../engine.js';
import { buildResult, withSecondTarget } from '../merge.js';
import { resolveOptions } from '../options.js';
import { preflight } from '../preflight.js';
import { type JtlRow, openSinks, prepareFiles } from '../sinks.js';
import { evaluateThresholds } from '../thresholds.js';
import type { LoadHooks, LoadOptions, LoadResult } from '../types.js';
import { createFlowTransport } from './flow-transport.js';
import { loadScenario } from './load-module.js';
import { StepClient } from './step-client.js';
import { StepStats } from './step-stats.js';
import { evaluateStepThresholds, splitThresholds } from './step-thresholds.js';

/** A flow's bound when --flow-timeout is not given (ms): it also bounds the drain after the schedule. */
export const DEFAULT_FLOW_TIMEOUT_MS = 30_000;

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
  if ((o.threads ?? 1) > 1) throw usage('--scenario runs on one thread: --threads is not supported with it');
  if (o.flowTimeoutMs !== undefined && !(o.flowTimeoutMs > 0)) throw usage('--flow-timeout must be positive');
  if (/\{\{/.test(o.target))
    throw usage("with --scenario the URL is the base of the steps' paths: no {{templates}}");
}

/**
 * Runs a scenario: the module's default export once per flow, flows arriving at the open model's
 * rate (or looped by --vus), through the same engine, accounting, thresholds and reports as single
 * requests; the result's `steps` adds per-step counts, latencies and timelines. Errors
 * (PeaklabError, exit 2) before any flow starts: bad options, an unreachable target, a scenario
 * file that is missing, does not load or has no default export function.
 */
export async function runScenario(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  checkScenarioOptions(options);
  const file = options.scenario as string;
  const flowTimeoutMs = options.flowTimeoutMs ?? Math.max(DEFAULT_FLOW_TIMEOUT_MS, options.timeoutMs ?? 0);
  const split = splitThresholds(options.thresholds ?? []);
  const r = resolveOptions({ ...options, thresholds: split.flows });
  if (r.target.protocol !== 'http') throw usage('--scenario needs an http(s):// target');
  // A flow has several steps: after the schedule, flows get their own bound to finish.
  r.engine.drainMs = flowTimeoutMs + 1000;
  const fn = await loadScenario(file);
  await preflight(r.target, Math.min(r.timeoutMs, DEFAULTS.preflightMs));
  prepareFiles(options.jtl, options.errorsLog);
  const t0 = performance.now();
  const stats = new StepStats(t0);
  const basePath = r.target.path.split('?')[0]?.replace(/\/+$/, '') ?? '';
  const client = new StepClient({
    origin: r.target.origin,
    basePath,
    connections: r.connections,
    timeoutMs: r.timeoutMs,
    ok: r.ok,
    maxRedirects: r.maxRedirects,
    insecure: options.insecure === true,
  });
  const label = `flow ${file}`;
  // Recorded in the result, so a run's random choices can be repeated.
  const seed = options.seed ?? randomInt(2 ** 31);
  const counters: Record<string, number> = {};
  // Opened before the transport, which writes each step's row into the same --jtl file.
  const sinks = openSinks({
    jtl: options.jtl,
    errorsLog: options.errorsLog,
    label,
    url: options.target,
    thread: 'peaklab 1-1',
    threads: r.connections,
    protocol: 'http',
  });
  const transport = createFlowTransport({
    fn,
    client,
    stats,
    flowTimeoutMs,
    vars: options.vars ?? {},
    seed,
    label,
    counters,
    ...(options.jtl ? { sample: (step: string, row: JtlRow) => sinks?.sample(step, row) } : {}),
  });
  const withTarget = withSecondTarget(r.engine.profile, r.engine.durationMs, hooks.onSecond);
  let part: Awaited<ReturnType<typeof runEngine>>;
  try {
    part = await runEngine(
      r.engine,
      transport,
      { index: 0, count: 1 },
      {
        t0,
        signal: hooks.signal,
        onSecond: withTarget,
        sink: sinks,
      },
    );
  } finally {
    await transport.close();
    await sinks?.close();
  }
  const result = buildResult(r, [part]);
  result.settings.scenario = file;
  result.settings.flowTimeoutMs = flowTimeoutMs;
  result.settings.seed = seed;
  result.steps = stats.finish(result.timeline.length);
  result.counters = counters;
  // The settings keep every threshold as given; the outcomes come flows first, then steps.
  result.settings.thresholds = options.thresholds;
  const outcomes = [
    ...evaluateThresholds(result, r.thresholds),
    ...evaluateStepThresholds(result, split.steps),
  ];
  if (outcomes.length > 0) result.thresholds = outcomes;
  return result;
}
