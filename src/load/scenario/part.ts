import { performance } from 'node:perf_hooks';
import { type EngineHooks, runEngine, type Share, shareOf } from '../engine.js';
import type { PartResult } from '../part-result.js';
import { type JtlRow, openSinks } from '../sinks.js';
import { createFlowTransport } from './flow-transport.js';
import type { ScenarioSetup } from './setup.js';
import { StepClient } from './step-client.js';
import { StepStats } from './step-stats.js';
import type { ScenarioFn, StepResult } from './types.js';

/** What one thread of a scenario run measured: its flows (as a part), its steps and its counters. */
export interface ScenarioPart extends PartResult {
  /** Each step's totals, histograms and timeline, on the run's shared seconds. */
  steps: StepResult[];
  /** When each of `steps` was first called (epoch ms): the merge orders steps by it. */
  stepFirstEpochMs: number[];
  counters: Record<string, number>;
}

/**
 * Runs one share of a scenario run (the whole run on one thread): its every count-th flow start (or
 * its share of --vus), on its share of --connections, with its own step accounting, counters and
 * --jtl/--errors-log writers (appending whole lines to the files the main thread prepared).
 * `startAt`, when given, is awaited once the client and files are set up, and resolves with the
 * shared t0 (this thread's performance.now() ms), as for single requests (part-runner.ts).
 */
export async function runScenarioPart(
  setup: ScenarioSetup,
  fn: ScenarioFn,
  share: Share,
  hooks: Omit<EngineHooks, 'sink' | 't0'>,
  startAt?: () => Promise<number>,
): Promise<ScenarioPart> {
  const { r, file } = setup;
  const options = r.options;
  const client = new StepClient({
    origin: r.target.origin,
    basePath: r.target.path.split('?')[0]?.replace(/\/+$/, '') ?? '',
    connections: shareOf(r.connections, share),
    timeoutMs: r.timeoutMs,
    ok: r.ok,
    maxRedirects: r.maxRedirects,
    insecure: options.insecure === true,
  });
  const label = `flow ${file}`;
  // Opened before the transport, which writes each step's row into the same --jtl file.
  const sinks = openSinks({
    jtl: options.jtl,
    errorsLog: options.errorsLog,
    label,
    url: options.target,
    thread: `peaklab ${share.index + 1}-${share.count}`,
    threads: r.connections,
    protocol: 'http',
  });
  const counters: Record<string, number> = {};
  let transport: ReturnType<typeof createFlowTransport> | undefined;
  let stats: StepStats;
  let part: PartResult;
  try {
    const t0 = startAt ? await startAt() : performance.now();
    stats = new StepStats(t0);
    transport = createFlowTransport({
      fn,
      client,
      stats,
      flowTimeoutMs: setup.flowTimeoutMs,
      vars: options.vars ?? {},
      // Each flow's generator is seeded from the run's seed and the flow's number, which is unique
      // across threads: a flow draws the same numbers whichever thread runs it.
      seed: setup.seed,
      label,
      counters,
      ...(options.jtl ? { sample: (step: string, row: JtlRow) => sinks?.sample(step, row) } : {}),
    });
    // resolveOptions guarantees at least one open flow per thread, so the shares sum to exactly N.
    const engine = { ...r.engine, maxInflight: shareOf(r.engine.maxInflight, share) };
    part = await runEngine(engine, transport, share, { ...hooks, t0, sink: sinks });
  } finally {
    // Closing the transport counts the steps still in flight as unfinished, before they are read.
    if (transport) await transport.close();
    else client.close();
    await sinks?.close();
  }
  return {
    ...part,
    steps: stats.finish(part.timeline.length),
    stepFirstEpochMs: stats.firstCalled(),
    counters,
  };
}
