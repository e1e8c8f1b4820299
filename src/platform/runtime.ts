import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { InfluxConfig } from './config/influx.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import { Readiness } from './lifecycle/readiness.js';
import { createMetricsRegistry } from './telemetry/registry.js';
import type { Tracing } from './telemetry/tracing.js';
import type { TracingConfig } from './telemetry/tracing-config.js';

/**
 * What every part of one running service shares, handed to each platform adapter as it opens
 * (fastify's instance, in spirit): an adapter registers its metrics on `registry`, its readiness
 * check on `readiness` and its stop step on `lifecycle`, so the service's composition root only
 * opens things in dependency order and never wires their shutdown by hand.
 */
export interface ServiceRuntime {
  /** The service's name: log lines, the listening line, connection names. */
  readonly name: string;
  readonly logger: Logger;
  /** This service's own Prometheus registry (not prom-client's global one). */
  readonly registry: Registry;
  readonly lifecycle: Lifecycle;
  readonly readiness: Readiness;
  /** Tracing, when OTEL_TRACES_EXPORTER switched it on: the HTTP app then adds a span per request. */
  readonly tracing: Tracing | undefined;
}

export interface RuntimeOptions {
  readonly name: string;
  readonly logger: Logger;
  /** Shared drain deadline at shutdown (ms); unset = unbounded. */
  readonly drainTimeoutMs?: number;
  /** Budget for closing connections after the drain (ms); default CLOSE_BUDGET_MS. */
  readonly closeTimeoutMs?: number;
  /** Node's default process metrics on the registry (default true). */
  readonly defaultMetrics?: boolean;
  /** The TELEMETRY group's tracing fields; unset or exporter none = untraced. */
  readonly tracing?: TracingConfig;
  /** The INFLUX group's values: with `influxUrl` set, the registry is pushed to InfluxDB. */
  readonly influx?: InfluxConfig;
}

/**
 * `tracing` is the started SDK (runService starts it): it is registered as the first part, so
 * it stops last and the spans of the shutdown itself are still flushed.
 */
export function createRuntime(opts: RuntimeOptions, tracing?: Tracing): ServiceRuntime {
  const rt: ServiceRuntime = {
    name: opts.name,
    logger: opts.logger,
    registry: createMetricsRegistry({ defaultMetrics: opts.defaultMetrics }),
    lifecycle: new Lifecycle({
      logger: opts.logger,
      drainTimeoutMs: opts.drainTimeoutMs,
      closeTimeoutMs: opts.closeTimeoutMs,
    }),
    readiness: new Readiness(),
    tracing,
  };
  if (tracing) rt.lifecycle.add({ name: 'tracing', close: () => tracing.shutdown() });
  return rt;
}
