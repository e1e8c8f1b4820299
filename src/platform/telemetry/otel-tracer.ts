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

/**
 * The pass-through tracer: `fn` runs as it is. For a service whose tracing is off, so an operation
 * makes no OpenTelemetry API call at all (a non-recording span still costs a context switch and a
 * promise wrapper per operation).
 */
export const NO_SPANS: TracerPort = { inSpan: (_name, _attributes, fn) => fn() };

/** `otelTracer(scope)` when this service traces (`on`: its runtime started tracing), else NO_SPANS. */
export function serviceTracer(on: boolean, scope: string): TracerPort {
  return on ? otelTracer(scope) : NO_SPANS;
}
