import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { FastifyPluginCallback } from 'fastify';
import type { Logger } from 'pino';
import { describeError } from '../../shared/errors.js';
import { buildExporter, describeTarget, type ExportTarget } from './exporters.js';
import { GuardedExporter } from './guarded-exporter.js';
import { httpContextPlugin } from './http-context.js';
import { setTracingEnabled } from './spans.js';
import { otlpTarget, type TracingConfig } from './tracing-config.js';

/** How long one export may take before it counts as failed (ms). */
const EXPORT_TIMEOUT_MS = 5000;
/** Shutdown's bound for flushing the spans still queued (ms): a dead collector must not hold the exit. */
export const FLUSH_BUDGET_MS = 2000;
/** Paths never traced: probes and scrapes would drown the traces that matter. */
const UNTRACED = new Set(['/metrics', '/healthz', '/readyz']);

/** Tracing, switched on for this process. */
export interface Tracing {
  /** Where spans go, for the start-up line ("otlp http://…/v1/traces"). */
  readonly description: string;
  /** @fastify/otel's plugin, bound to this provider: a SERVER span per request. */
  httpPlugin(): FastifyPluginCallback;
  /** Flushes queued spans (bounded by FLUSH_BUDGET_MS) and unregisters the globals. Never rejects. */
  shutdown(): Promise<void>;
}

/**
 * The exporter for the config, its package loaded only when chosen: OTLP/HTTP in protobuf (the
 * spec's default; a third of JSON's bytes per span, so the socket and the collector do less) or
 * JSON, Zipkin v2 JSON, or the console.
 */
async function exporterFor(
  cfg: TracingConfig,
  serviceName: string,
): Promise<{ exporter: SpanExporter; where: string }> {
  if (cfg.otelTracesExporter === 'console') {
    return { exporter: new ConsoleSpanExporter(), where: 'console (stdout)' };
  }
  const target: ExportTarget =
    cfg.otelTracesExporter === 'zipkin'
      ? {
          kind: 'zipkin',
          url: cfg.otelExporterZipkinEndpoint ?? 'http://localhost:9411/api/v2/spans',
          serviceName,
        }
      : { kind: 'otlp', ...otlpTarget(cfg), timeoutMs: EXPORT_TIMEOUT_MS };
  return { exporter: await buildExporter(target), where: describeTarget(target) };
}

/** OTEL_TRACES_SAMPLER and its argument as a sampler, as the SDK environment spec defines them. */
export function samplerFor(cfg: Pick<TracingConfig, 'otelTracesSampler' | 'otelTracesSamplerArg'>): Sampler {
  const ratio = new TraceIdRatioBasedSampler(cfg.otelTracesSamplerArg);
  switch (cfg.otelTracesSampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Starts the OpenTelemetry SDK for this process from the tracing config: a NodeTracerProvider with
 * the service name, the configured sampler and exporter behind a batch processor, registered as
 * the global provider with the AsyncLocalStorage context manager and the W3C trace-context
 * propagator. Returns undefined when OTEL_TRACES_EXPORTER is none. Never throws: a set-up that
 * fails is logged and the service runs untraced. One traced service per process (the API's
 * globals are per process).
 */
export async function startTracing(
  cfg: TracingConfig,
  defaults: { serviceName: string; logger: Logger },
): Promise<Tracing | undefined> {
  if (cfg.otelTracesExporter === 'none') return undefined;
  const { logger } = defaults;
  try {
    const { FastifyOtelInstrumentation } = await import('@fastify/otel');
    const serviceName = cfg.otelServiceName ?? defaults.serviceName;
    const { exporter, where } = await exporterFor(cfg, serviceName);
    const guarded = new GuardedExporter(exporter, {
      // Outside any span: the export runs in whatever context armed the batch timer (some request's).
      failed: (reason) =>
        context.with(ROOT_CONTEXT, () =>
          logger.warn(
            { event: 'trace-export-failed', exporter: where, err: reason },
            `trace export to ${where} failed (${reason}); spans are dropped until it recovers, requests go on; logged once per outage`,
          ),
        ),
      recovered: () =>
        logger.info({ event: 'trace-export-recovered', exporter: where }, 'trace export recovered'),
    });
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
      sampler: samplerFor(cfg),
      spanProcessors: [
        new BatchSpanProcessor(guarded, {
          exportTimeoutMillis: EXPORT_TIMEOUT_MS,
          scheduledDelayMillis: cfg.otelBspScheduleDelay,
          // The SDK lowers a batch size above the queue size to it (with a warning): do it quietly.
          maxExportBatchSize: Math.min(cfg.otelBspMaxExportBatchSize, cfg.otelBspMaxQueueSize),
          maxQueueSize: cfg.otelBspMaxQueueSize,
        }),
      ],
    });
    provider.register();
    setTracingEnabled(true);
    // One SERVER span per request: no hook or handler spans (they cost a span each and say
    // little); httpContextPlugin runs the handler in the request's context instead.
    const instrumentation = new FastifyOtelInstrumentation({
      instrumentHooks: false,
      instrumentHandler: false,
      ignorePaths: (route: { url?: string }) => UNTRACED.has(route.url ?? ''),
    });
    instrumentation.setTracerProvider(provider);
    const description = `${where}, sampler ${cfg.otelTracesSampler}${cfg.otelTracesSampler.endsWith('traceidratio') ? ` ${cfg.otelTracesSamplerArg}` : ''}`;
    logger.info(
      { event: 'tracing', exporter: where, sampler: cfg.otelTracesSampler, service: serviceName },
      `tracing to ${description}`,
    );
    return {
      description,
      httpPlugin: () => {
        const otel = instrumentation.plugin() as FastifyPluginCallback;
        const plugin: FastifyPluginCallback = (app, _opts, done) => {
          app.register(otel);
          app.register(httpContextPlugin);
          done();
        };
        (plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
        return plugin;
      },
      async shutdown() {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<'expired'>((resolve) => {
          timer = setTimeout(() => resolve('expired'), FLUSH_BUDGET_MS);
        });
        try {
          const outcome = await Promise.race([provider.shutdown().then(() => 'flushed' as const), expired]);
          if (outcome === 'expired') {
            logger.warn(
              { event: 'trace-flush-expired', ms: FLUSH_BUDGET_MS },
              'tracing: spans still queued at the flush deadline were dropped',
            );
          }
        } catch (err) {
          logger.warn({ err: describeError(err) }, 'tracing: shutdown failed');
        } finally {
          clearTimeout(timer);
          instrumentation.disable();
          setTracingEnabled(false);
          // So a later service in the same process (tests, the lab) can register its own provider.
          trace.disable();
          context.disable();
          propagation.disable();
        }
      },
    };
  } catch (err) {
    logger.error(
      { event: 'tracing-off', err: describeError(err) },
      `tracing could not start and is off: ${describeError(err)}`,
    );
    return undefined;
  }
}
