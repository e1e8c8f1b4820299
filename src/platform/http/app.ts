import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { describeError, PeaklabError } from '../../shared/errors.js';
import type { ServiceRuntime } from '../runtime.js';
import { announceListening, serverUrl } from '../server.js';
import { DEFAULT_ERROR_BODIES, type ErrorBodies, registerErrorMap } from './errors.js';
import { registerProbes } from './probes.js';
import { registerMetricsRoute, registerRedMetrics } from './red-metrics.js';

/** Where to listen: the HTTP config group's fields. */
export interface HttpListen {
  /** 0 picks a free port. */
  readonly port: number;
  readonly listenHost: string;
}

export interface HttpAppOptions {
  /** The service's routes, as a fastify plugin (registered after the platform's own). */
  readonly routes?: FastifyPluginAsync;
  /** Largest accepted body in bytes (fastify's default: 1 MiB). */
  readonly bodyLimit?: number;
  readonly errorBodies?: ErrorBodies;
}

export interface HttpServeOptions extends HttpAppOptions {
  readonly listen: HttpListen;
  /** The listening line: what is listening ("orders queue intake") and extra fields. */
  readonly announce?: { readonly what: string; readonly fields?: Readonly<Record<string, unknown>> };
}

export interface HttpServer {
  /** http://host:port, reachable from this machine. */
  readonly url: string;
  readonly app: FastifyInstance;
}

/**
 * A service's fastify app: the error map and JSON error bodies, `/healthz`, `/readyz` (from the
 * runtime's readiness checks), `/metrics` (the runtime's registry), RED request metrics with the
 * route pattern as a low-cardinality `route` label, then the service's routes plugin.
 */
export async function buildHttpApp(rt: ServiceRuntime, opts: HttpAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: opts.bodyLimit, logger: false, return503OnClosing: true });
  // First, so every route registered after it gets its SERVER span.
  if (rt.tracing) await app.register(rt.tracing.httpPlugin());
  registerRedMetrics(app, rt.registry, { exemplars: rt.tracing !== undefined });
  registerMetricsRoute(app, rt.registry);
  registerErrorMap(app, opts.errorBodies ?? DEFAULT_ERROR_BODIES, rt.logger);
  registerProbes(app, rt.readiness);
  if (opts.routes) await app.register(opts.routes);
  return app;
}

/** How often shutdown closes connections that went idle (ms). */
const SWEEP_MS = 50;

/**
 * Builds the app, listens, registers its stop step on the lifecycle and logs the `listening`
 * line. At shutdown the server stops taking connections and requests (503 for a request on a
 * kept-alive connection), finishes those in flight, and keeps dropping connections as they go
 * idle: `close()` drops idle keep-alive connections once, and those still answering would
 * otherwise be held for fastify's 72 s keep-alive timeout. At the drain deadline it drops the
 * connections of requests still in flight.
 * Throws PL_CONFIG_INVALID when the address cannot be bound.
 */
export async function startHttpServer(rt: ServiceRuntime, opts: HttpServeOptions): Promise<HttpServer> {
  const app = await buildHttpApp(rt, opts);
  const { port, listenHost } = opts.listen;
  try {
    await app.listen({ port, host: listenHost });
  } catch (err) {
    await app.close().catch(() => {});
    throw new PeaklabError(
      'PL_CONFIG_INVALID',
      `cannot listen on ${listenHost}:${port}: ${describeError(err)}`,
      {
        cause: err,
      },
    );
  }
  rt.lifecycle.add({
    name: 'http',
    async drain(signal) {
      const sweeper = setInterval(() => app.server.closeIdleConnections(), SWEEP_MS);
      // At the deadline, requests still in flight lose their connection: none was answered, so
      // none was acknowledged, and the client knows to retry.
      const cut = () => app.server.closeAllConnections();
      signal.addEventListener('abort', cut, { once: true });
      try {
        await app.close();
      } finally {
        clearInterval(sweeper);
        signal.removeEventListener('abort', cut);
      }
      return 0;
    },
  });
  const url = serverUrl('http', app.server.address(), listenHost, port);
  announceListening(rt, url, opts.announce?.what ?? `${rt.name} http`, opts.announce?.fields);
  return { url, app };
}
