import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

const LABELS = ['method', 'route', 'status'] as const;
type Labels = (typeof LABELS)[number];

/** Latency buckets in seconds: sub-millisecond to the 10 s a queued peak can take. */
export const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Children {
  count: ReturnType<Counter<Labels>['labels']>;
  duration: ReturnType<Histogram<Labels>['labels']>;
}

/**
 * Adds `http_requests_total{method,route,status}` and `http_request_duration_seconds` (same labels)
 * to a fastify app. `route` is the route pattern ("/orders"), or "unmatched" for a 404, so label
 * cardinality stays bounded. Children are cached per label set: a response costs two lookups.
 */
export function registerRedMetrics(app: FastifyInstance, registry: Registry): void {
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
    registers: [registry],
  });
  const cache = new Map<string, Children>();

  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    try {
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      const key = `${request.method} ${route} ${status}`;
      let children = cache.get(key);
      if (children === undefined) {
        const labels = { method: request.method, route, status: String(status) };
        children = { count: count.labels(labels), duration: duration.labels(labels) };
        cache.set(key, children);
      }
      children.count.inc();
      children.duration.observe(reply.elapsedTime / 1000);
    } catch {
      // Telemetry never throws into the application.
    }
    done();
  });
}

/** Serves the registry as Prometheus text at GET /metrics. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}
