import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { requestTraceId } from '../telemetry/http-context.js';
import { OPENMETRICS_CONTENT_TYPE, openMetricsText, wantsOpenMetrics } from '../telemetry/openmetrics.js';
import { TallyCounter } from '../telemetry/tally.js';

const LABELS = ['method', 'route', 'status'] as const;
type Labels = (typeof LABELS)[number];

/** Latency buckets in seconds: sub-millisecond to the 10 s a queued peak can take. */
export const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Children {
  labels: Record<Labels, string>;
  count: ReturnType<Counter<Labels>['labels']>;
  /** Responses counted since the last scrape (handed to `count` by the counter's collect()). */
  tally: TallyCounter;
  duration: ReturnType<Histogram<Labels>['labels']>;
}

/**
 * Adds `http_requests_total{method,route,status}` and `http_request_duration_seconds` (same labels)
 * to a fastify app. `route` is the route pattern ("/orders"), or "unmatched" for a 404, so label
 * cardinality stays bounded. Register it before the routes: it hooks each route as it is added.
 * Children are cached per label set; the count is tallied as a plain number and handed to
 * prom-client when the registry is read.
 * With `exemplars` (tracing on), each duration of a sampled request's trace is kept as its bucket's
 * exemplar `{trace_id="…"}`, shown when /metrics is scraped as OpenMetrics.
 */
export function registerRedMetrics(
  app: FastifyInstance,
  registry: Registry,
  opts: { exemplars?: boolean } = {},
): void {
  const exemplars = opts.exemplars === true;
  const cache = new Map<string, Children>();
  const count: Counter<Labels> = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: LABELS,
    registers: [registry],
    collect() {
      for (const c of cache.values()) c.tally.flushInto(c.count);
    },
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

  /** Counts and times one response of `route`; never throws into the application. */
  const record = (route: string, request: FastifyRequest, reply: FastifyReply): void => {
    try {
      const status = reply.statusCode;
      const key = `${request.method} ${route} ${status}`;
      let children = cache.get(key);
      if (children === undefined) {
        const labels = { method: request.method, route, status: String(status) };
        const tally = new TallyCounter();
        children = { labels, count: count.labels(labels), tally, duration: duration.labels(labels) };
        cache.set(key, children);
      }
      children.tally.inc();
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
  };

  // Each route gets its own onResponse hook that knows its pattern: `request.routeOptions` builds
  // a fresh 13-field object on every read, which a per-request lookup of the pattern would pay.
  app.addHook('onRoute', (route) => {
    const pattern = route.url;
    const hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      record(pattern, request, reply);
      done();
    };
    const own = route.onResponse;
    route.onResponse = own === undefined ? [hook] : [...(Array.isArray(own) ? own : [own]), hook];
  });
  // What matched no route (fastify's 404 handler) has no route hooks.
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.is404) record('unmatched', request, reply);
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
