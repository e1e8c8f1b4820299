/**
 * One server of `npm run bench -- tracing-parts` (bench/tracing-parts.ts), started as its own
 * process because the OpenTelemetry API's globals are per process. argv: VARIANT [COLLECTOR_URL].
 * A minimal fastify route (POST /orders: the JSON body parsed, one event-loop turn awaited, a small
 * JSON answer), with the tracing layers the platform uses (src/platform/telemetry/tracing.ts:
 * NodeTracerProvider with AsyncLocalStorage, @fastify/otel with hook and handler spans off, a
 * BatchSpanProcessor) switched on one by one:
 *   off     no SDK;
 *   context only the context manager the SDK registers (AsyncLocalStorage), each request run in a
 *           context of its own: what propagation alone costs, every promise included;
 *   hooks   SDK + @fastify/otel, sampler always_off: what every request pays once tracing is on;
 *   record  sampler always_on, spans recorded and handed to an exporter that discards them;
 *   export  always_on, OTLP/HTTP protobuf (the platform's default) posted to COLLECTOR_URL.
 * Prints one JSON line {"url": …} once listening; exits on SIGTERM.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ExportResult } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import Fastify, { type FastifyPluginCallback } from 'fastify';

const [variant = 'off', collector = ''] = process.argv.slice(2);

/** The `record` variant's exporter: the spans are recorded and batched, then dropped. */
const discard: SpanExporter = {
  export: (_spans: ReadableSpan[], done: (r: ExportResult) => void) => done({ code: 0 }),
  shutdown: async () => undefined,
};

const app = Fastify({ logger: false });
let provider: NodeTracerProvider | undefined;
if (variant === 'context') {
  // The context manager alone: AsyncLocalStorage enabled, the request run in a context of its own.
  const cm = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(cm);
  app.addHook('onRequest', (_request, _reply, done) => context.with(context.active(), done));
} else if (variant !== 'off') {
  let exporter = discard;
  if (variant === 'export') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    exporter = new OTLPTraceExporter({ url: `${collector}/v1/traces`, timeoutMillis: 5000 });
  }
  provider = new NodeTracerProvider({
    sampler: variant === 'hooks' ? new AlwaysOffSampler() : new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  const { FastifyOtelInstrumentation } = await import('@fastify/otel');
  const otel = new FastifyOtelInstrumentation({ instrumentHooks: false, instrumentHandler: false });
  otel.setTracerProvider(provider);
  await app.register(otel.plugin() as FastifyPluginCallback);
}
app.post('/orders', async (request) => {
  await new Promise((resolve) => setImmediate(resolve));
  return { id: 'o-1', accepted: typeof request.body === 'object' };
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url: address })}\n`);
process.once('SIGTERM', () => {
  void Promise.allSettled([app.close(), provider?.shutdown()]).then(() => process.exit(0));
});
