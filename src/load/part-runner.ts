import { createTransport } from './create-transport.js';
import { type EngineHooks, runEngine, type Share, shareOf } from './engine.js';
import type { Resolved } from './options.js';
import type { PartResult } from './part-result.js';
import { openSinks } from './sinks.js';

/** Runs one share of a resolved run (the whole run without --threads), then releases what it opened. */
export async function runPart(
  r: Resolved,
  share: Share,
  hooks: Omit<EngineHooks, 'sink'>,
): Promise<PartResult> {
  const transport = await createTransport(r, shareOf(r.connections, share));
  const sinks = openSinks({
    jtl: r.options.jtl,
    errorsLog: r.options.errorsLog,
    label: transport.label,
    url: r.options.target,
    thread: `peaklab ${share.index + 1}-${share.count}`,
    threads: r.model === 'closed' ? r.engine.vus : r.connections,
  });
  const engine = {
    ...r.engine,
    maxInflight: r.engine.maxInflight === 0 ? 0 : Math.max(1, shareOf(r.engine.maxInflight, share)),
  };
  try {
    return await runEngine(engine, transport, share, { ...hooks, sink: sinks });
  } finally {
    await transport.close();
    await sinks?.close();
  }
}
