import { influxTarget } from './config/influx.js';
import type { ShutdownReport } from './lifecycle/lifecycle.js';
import { createRuntime, type RuntimeOptions, type ServiceRuntime } from './runtime.js';
import { InfluxPusher } from './telemetry/influx-push.js';

/** A started service, as the CLI and in-process tests hold it. */
export interface RunningService {
  /** Where its server listens (http://host:port). */
  readonly url: string;
  /** Stops as SIGTERM does: intake first, then workers and buffers, then connections. Never rejects. */
  close(): Promise<ShutdownReport>;
  /** How long close() may take at most (ms): the drain deadline plus the close budget. */
  readonly shutdownDeadlineMs: number;
}

/**
 * Runs a service's composition: starts tracing when configured (never fatal), creates its runtime, lets `build` open the parts in dependency
 * order (each registers its own readiness check and stop step) and resolves with the server's URL.
 * If any part fails to open, what was already opened is stopped before the error is rethrown.
 * With `opts.influx.influxUrl` set, the registry is pushed to InfluxDB once the service is up.
 */
export async function runService(
  opts: RuntimeOptions,
  build: (rt: ServiceRuntime) => Promise<{ url: string }>,
): Promise<RunningService> {
  // Loaded only when an exporter is configured: untraced services never load the SDK.
  const tracing =
    opts.tracing !== undefined && opts.tracing.otelTracesExporter !== 'none'
      ? await (await import('./telemetry/tracing.js')).startTracing(opts.tracing, {
          serviceName: opts.name,
          logger: opts.logger,
        })
      : undefined;
  const rt = createRuntime(opts, tracing);
  // Registered first, so it stops last: its final push carries the counts of the whole drain.
  const target = opts.influx && influxTarget(opts.influx);
  const pusher =
    target &&
    rt.lifecycle.add(
      new InfluxPusher({ registry: rt.registry, target, logger: rt.logger, tags: { service: opts.name } }),
    );
  try {
    const { url } = await build(rt);
    pusher?.start();
    return { url, close: () => rt.lifecycle.shutdown(), shutdownDeadlineMs: rt.lifecycle.deadlineMs };
  } catch (err) {
    await rt.lifecycle.shutdown();
    throw err;
  }
}

/**
 * Logs the one `{"event":"backends"}` line: which backend plays each role and what it guarantees
 * (e.g. `{ store: "Postgres ...: a row is durable once committed", queue: "..." }`). An operator
 * must know whether a crash can lose acknowledged work.
 */
export function logBackends(rt: ServiceRuntime, roles: Readonly<Record<string, string>>): void {
  const text = Object.entries(roles)
    .map(([role, what]) => `${role}: ${what}`)
    .join('; ');
  rt.logger.info({ event: 'backends', ...roles }, text);
}
