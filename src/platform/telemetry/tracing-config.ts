import {
  type ConfigOf,
  emptyIsUnset,
  int,
  num,
  oneOf,
  optional,
  optionalStr,
  optionalUrl,
  type Spec,
} from '../../config/mod.js';
import { OTLP_PROTOCOLS, type OtlpProtocol } from './exporters.js';

/** The samplers OTEL_TRACES_SAMPLER names (OpenTelemetry SDK environment variable spec). */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** The fields as they parse a non-empty value (see TRACING_GROUP). */
const OTEL_FIELDS = {
  otelTracesExporter: oneOf(
    'trace exporter: otlp (OTLP/HTTP), zipkin (Zipkin v2 JSON), console (stdout) or none (tracing off)',
    ['otlp', 'zipkin', 'console', 'none'] as const,
    'none',
  ),
  otelExporterOtlpEndpoint: optionalUrl(
    'OTLP/HTTP collector base URL; spans are posted to <url>/v1/traces (unset: http://localhost:4318)',
    ['http', 'https'],
    'http://127.0.0.1:4318',
  ),
  otelExporterOtlpProtocol: oneOf(
    "OTLP encoding: http/protobuf (the spec's default) or http/json; grpc is not supported",
    OTLP_PROTOCOLS,
    'http/protobuf',
  ),
  otelExporterOtlpTracesEndpoint: optionalUrl(
    'OTLP/HTTP URL for traces, used as is; overrides OTEL_EXPORTER_OTLP_ENDPOINT',
    ['http', 'https'],
    'http://127.0.0.1:4318/v1/traces',
  ),
  otelExporterOtlpTracesProtocol: optional(
    oneOf('OTLP encoding for traces; overrides OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, 'http/protobuf'),
  ),
  otelExporterZipkinEndpoint: optionalUrl(
    'Zipkin span endpoint (unset: http://localhost:9411/api/v2/spans)',
    ['http', 'https'],
    'http://127.0.0.1:9411/api/v2/spans',
  ),
  otelServiceName: optionalStr("service.name on every span (unset: the service's own name)", '<name>'),
  otelTracesSampler: oneOf(
    'which traces are recorded: always_on, always_off, traceidratio, or parentbased_* (follow an incoming traceparent)',
    SAMPLERS,
    'parentbased_always_on',
  ),
  otelTracesSamplerArg: num('the traceidratio samplers: fraction of traces sampled, 0 to 1', 1, {
    min: 0,
    max: 1,
  }),
  otelBspScheduleDelay: int('how long finished spans wait to be exported together, in ms', 5000, {
    min: 1,
    max: 600_000,
  }),
  otelBspMaxExportBatchSize: int('most spans sent in one export', 512, { min: 1, max: 65_536 }),
  otelBspMaxQueueSize: int('most finished spans waiting for export; more are dropped', 2048, {
    min: 1,
    max: 1_048_576,
  }),
};

/** Each field reads an empty value as unset, as the OpenTelemetry environment spec says. */
function otelSpec<S extends Spec>(spec: S): S {
  return Object.fromEntries(Object.entries(spec).map(([k, f]) => [k, emptyIsUnset(f)])) as S;
}

/**
 * Tracing's config fields: OpenTelemetry's standard environment variables, read once at start-up
 * through the config reader like every other field (so each also has a flag: OTEL_SERVICE_NAME is
 * --otel-service-name). Tracing is off unless OTEL_TRACES_EXPORTER names an exporter. An empty
 * variable counts as unset.
 */
export const TRACING_GROUP = otelSpec(OTEL_FIELDS);

export type TracingConfig = ConfigOf<typeof TRACING_GROUP>;

/**
 * Where the OTLP exporter posts and how, by the spec's precedence: the traces-specific variables
 * first (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is), then the general ones (the base URL
 * plus /v1/traces), then the defaults.
 */
export function otlpTarget(
  cfg: Pick<
    TracingConfig,
    | 'otelExporterOtlpEndpoint'
    | 'otelExporterOtlpProtocol'
    | 'otelExporterOtlpTracesEndpoint'
    | 'otelExporterOtlpTracesProtocol'
  >,
): { url: string; protocol: OtlpProtocol } {
  return {
    url: cfg.otelExporterOtlpTracesEndpoint ?? otlpTracesUrl(cfg.otelExporterOtlpEndpoint),
    protocol: cfg.otelExporterOtlpTracesProtocol ?? cfg.otelExporterOtlpProtocol,
  };
}

/** Where the OTLP exporter posts: the base URL plus the traces signal path, as the spec says. */
function otlpTracesUrl(endpoint: string | undefined): string {
  const base = (endpoint ?? 'http://localhost:4318').replace(/\/+$/, '');
  return `${base}/v1/traces`;
}
