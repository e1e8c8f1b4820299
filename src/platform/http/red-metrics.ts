import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { requestTraceId } from '../telemetry/http-context.js';
import { OPENMETRICS_CONTENT_TYPE, openMetricsText, wantsOpenMetrics } from '../telemetry/openmetrics.js';

const LABELS = ['method', 'route', 'status'] as const;
type Labels = (typeof LABELS)[number];

/** Latency buckets in seconds: sub-millisecond to the 10 s a queued peak can take. */
export const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Children {
  labels: Record<Labels, string>;
  count: ReturnType<Counter<Labels>['labels']>;
  duration: ReturnType<Histogram<Labels>['labels']>;
}

/**
 * Adds `http_requests_total{method,route,status}` and `http_request_duration_seconds` (same labels)
 * to a fastify app. `route` is the route pattern ("/orders"), or "unmatched" for a 404, so label
 * cardinality stays bounded. Children are cached per label set: a response costs two lookups.
 * With `exemplars` (tracing on), each duration of a sampled request's trace is kept as its bucket's
 * exemplar `{trace_id="…"}`, shown when /metrics is scraped as OpenMetrics.
 */
export function registerRedMetrics(
  app: FastifyInstance,
  registry: Registry,
  opts: { exemplars?: boolean } = {},
): void {
  const exemplars = opts.exemplars === true;
  const count = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: LABELS,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration from arrival to the response sent, in seconds',
    labelNames: LABELS,
    buckets: HTTP_BUCKETS,
    // prom-client refuses exemplars on a Prometheus-format registry at construction only: register
    // it afterwards (the Prometheus text then leaves them out; openMetricsText shows them).
    registers: exemplars ? [] : [registry],
    enableExemplars: exemplars,
  });
  if (exemplars) registry.registerMetric(duration);
  const cache = new Map<string, Children>();

  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    try {
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      const key = `${request.method} ${route} ${status}`;
      let children = cache.get(key);
      if (children === undefined) {
        const labels = { method: request.method, route, status: String(status) };
        children = { labels, count: count.labels(labels), duration: duration.labels(labels) };
        cache.set(key, children);
      }
      children.count.inc();
      const seconds = reply.elapsedTime / 1000;
      const traceId = exemplars ? requestTraceId(request) : undefined;
      if (traceId === undefined) children.duration.observe(seconds);
      else {
        // prom-client types exemplar labels as the metric's own label names; any names are valid.
        const exemplarLabels = { trace_id: traceId } as unknown as Partial<Record<Labels, string>>;
        duration.observe({ labels: children.labels, value: seconds, exemplarLabels });
      }
    } catch {
      // Telemetry never throws into the application.
    }
    done();
  });
}

/**
 * Serves the registry at GET /metrics: Prometheus text, or OpenMetrics (with exemplars) when the
 * scrape's Accept header asks for application/openmetrics-text.
 */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (request, reply) => {
    if (wantsOpenMetrics(request.headers.accept)) {
      return reply.type(OPENMETRICS_CONTENT_TYPE).send(await openMetricsText(registry));
    }
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}
