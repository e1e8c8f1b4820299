import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The OTLP/HTTP encodings OTEL_EXPORTER_OTLP_PROTOCOL names that peaklab exports (grpc is not one). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Where and how spans leave the process, as the tracing config chose. */
export type ExportTarget =
  | {
      readonly kind: 'otlp';
      readonly url: string;
      readonly protocol: OtlpProtocol;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'zipkin'; readonly url: string; readonly serviceName: string };

/** The target as the start-up line says it: "otlp http/protobuf http://…/v1/traces". */
export function describeTarget(t: ExportTarget): string {
  return t.kind === 'otlp' ? `otlp ${t.protocol} ${t.url}` : `zipkin ${t.url}`;
}

/**
 * The SDK exporter for a target: @opentelemetry/exporter-trace-otlp-proto or -otlp-http (JSON)
 * for OTLP/HTTP, @opentelemetry/exporter-zipkin for Zipkin v2 JSON. Each package is loaded only
 * when chosen, so a service pays start-up time for one exporter. Rejects if the package cannot
 * be loaded (startTracing then logs it and runs untraced).
 */
export async function buildExporter(t: ExportTarget): Promise<SpanExporter> {
  if (t.kind === 'zipkin') {
    const { ZipkinExporter } = await import('@opentelemetry/exporter-zipkin');
    return new ZipkinExporter({ url: t.url, serviceName: t.serviceName });
  }
  if (t.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter({ url: t.url, timeoutMillis: t.timeoutMs });
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: t.url, timeoutMillis: t.timeoutMs });
}
