import { readConfig } from '../../../config/mod.js';
import { silentLogger } from '../../../shared/logger.js';
import { startTraceCollector, type TraceCollector } from '../../../testing/trace-collector.js';
import { startTracing, type Tracing } from '../tracing.js';
import { TRACING_GROUP } from '../tracing-config.js';

/** A collector and this process's tracing exporting to it (OTLP/HTTP protobuf, 20 ms batches). */
export interface TestTracing {
  readonly collector: TraceCollector;
  readonly tracing: Tracing;
  /** Flushes and stops tracing, then the collector. */
  close(): Promise<void>;
}

/**
 * Starts a trace collector and the platform's tracing for this process, named `serviceName`, with
 * `env` on top (e.g. OTEL_TRACES_SAMPLER). Throws if tracing does not start. One per process at a
 * time: the OpenTelemetry API's globals are per process.
 */
export async function startTestTracing(
  serviceName: string,
  env: Readonly<Record<string, string>> = {},
): Promise<TestTracing> {
  const collector = await startTraceCollector();
  const cfg = readConfig(
    TRACING_GROUP,
    {},
    {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '20',
      ...env,
    },
  );
  const tracing = await startTracing(cfg, { serviceName, logger: silentLogger() });
  if (tracing === undefined) {
    await collector.close();
    throw new Error('tracing did not start');
  }
  return {
    collector,
    tracing,
    async close() {
      await tracing.shutdown();
      await collector.close();
    },
  };
}
