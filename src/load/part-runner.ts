import { createTransport } from './create-transport.js';
import { type EngineHooks, runEngine, type Share, shareOf } from './engine.js';
import type { Resolved } from './options.js';
import type { PartResult } from './part-result.js';
import { openSinks } from './sinks.js';
import { SlowestSink } from './trace-propagate.js';

/**
 * Runs one share of a resolved run (the whole run without --threads), then releases what it opened.
 * `startAt`, when given, is awaited once the connections and files are set up and resolves with the
 * shared t0 (this thread's performance.now() ms): worker threads start together, whatever their
 * own start-up took.
 */
export async function runPart(
  r: Resolved,
  share: Share,
  hooks: Omit<EngineHooks, 'sink' | 't0'>,
  startAt?: () => Promise<number>,
): Promise<PartResult> {
  const transport = await createTransport(r, shareOf(r.connections, share));
  const sinks = openSinks({
    jtl: r.options.jtl,
    errorsLog: r.options.errorsLog,
    label: transport.label,
    url: r.options.target,
    thread: `peaklab ${share.index + 1}-${share.count}`,
    threads: r.model === 'closed' ? r.engine.vus : r.connections,
    protocol: r.target.protocol,
  });
  // resolveOptions guarantees at least one open request per thread, so the shares sum to exactly N.
  const engine = { ...r.engine, maxInflight: shareOf(r.engine.maxInflight, share) };
  try {
    const t0 = startAt ? await startAt() : undefined;
    const slowest = r.options.traceIdPrefix === undefined ? undefined : new SlowestSink(sinks);
    const part = await runEngine(engine, transport, share, { ...hooks, sink: slowest ?? sinks, t0 });
    if (slowest) part.slowest = slowest.kept();
    return part;
  } finally {
    await transport.close();
    await sinks?.close();
  }
}
