import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { TracerPort } from './ports.js';
import { sampledSpan } from './spans.js';

/**
 * The port over the OpenTelemetry API. Without a registered SDK the API hands out non-recording
 * spans, so this costs little until tracing is switched on; with one, the spans are exported.
 * Telemetry never throws into the application: only `fn`'s own error propagates.
 */
export function otelTracer(scope: string): TracerPort {
  const tracer = trace.getTracer(scope);
  return {
    inSpan(name, attributes, fn) {
      // Inside a span the sampler did not record, a child would not be recorded either: skip it.
      const active = trace.getActiveSpan();
      if (active !== undefined && !sampledSpan(active)) return fn();
      return tracer.startActiveSpan(name, { attributes }, async (span) => {
        try {
          return await fn();
        } catch (err) {
          try {
            span.recordException(err instanceof Error ? err : String(err));
            span.setStatus({ code: SpanStatusCode.ERROR });
          } catch {
            // Telemetry never throws into the application.
          }
          throw err;
        } finally {
          span.end();
        }
      });
    },
  };
}
