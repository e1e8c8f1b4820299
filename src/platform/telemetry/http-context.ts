import { type Context, context, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';

/** Where a request keeps the context its SERVER span is active in (set in onRequest). */
const kContext = Symbol('peaklab trace context');

type WithContext = FastifyRequest & { [kContext]?: Context };

/**
 * The context @fastify/otel's SERVER span is active in for `request`, or undefined when the
 * request is not traced (tracing off, an untraced path).
 */
export function requestContext(request: FastifyRequest): Context | undefined {
  return (request as WithContext)[kContext];
}

/** The trace id of a request's SERVER span when it is sampled, else undefined (for exemplars). */
export function requestTraceId(request: FastifyRequest): string | undefined {
  const ctx = requestContext(request);
  if (ctx === undefined) return undefined;
  const sc = trace.getSpanContext(ctx);
  return sc !== undefined && (sc.traceFlags & 1) === 1 ? sc.traceId : undefined;
}

/**
 * Runs every route handler in its request's trace context, so the spans a handler starts (a
 * publish, a query) are children of the request's SERVER span. @fastify/otel's `onRequest` hook
 * makes that context active only for the rest of the onRequest chain: a POST body arrives in later
 * socket events, whose async context is the connection's, so without this the handler would run
 * outside the trace. @fastify/otel can do it too, by wrapping the handler in a span of its own
 * (`instrumentHandler`), but that span costs a span per request and says nothing the SERVER span
 * does not; this costs one `context.with`. Register right after @fastify/otel's plugin, before the
 * routes (an onRoute hook sees only routes added after it).
 */
export function httpContextPlugin(app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void {
  // Runs after @fastify/otel's onRequest, inside its `context.with(requestContext, …)`.
  app.addHook('onRequest', (request, _reply, next) => {
    const active = context.active();
    if (trace.getSpan(active) !== undefined) (request as WithContext)[kContext] = active;
    next();
  });
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function inRequestContext(this: FastifyInstance, request, reply) {
      const ctx = (request as WithContext)[kContext];
      return ctx === undefined
        ? handler.call(this, request, reply)
        : context.with(ctx, handler, this, request, reply);
    } as RouteHandlerMethod;
  });
  done();
}
// Like fastify-plugin: the hooks apply to the app the plugin is registered on, not a child scope.
(httpContextPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
