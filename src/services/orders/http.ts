import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { describeError } from '../../shared/errors.js';
import { registerHttpMetrics, registerMetricsRoute } from '../../telemetry/mod.js';
import { type Answer, INVALID, type Intake, TOO_LARGE, UNAVAILABLE } from './intake.js';

/** The limit: a body over 16 KiB is 413 {"result":"invalid"}. */
export const BODY_LIMIT = 16 * 1024;
const NOT_FOUND = '{"result":"not-found"}';
const READY_TIMEOUT_MS = 2000;

export interface HttpOptions {
  readonly intake: Intake | undefined;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Each resolves if that dependency answers. */
  readonly readiness: ReadonlyArray<() => Promise<void>>;
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  if (answer.retryAfter !== undefined) reply.header('retry-after', answer.retryAfter);
  return reply.code(answer.status).type('application/json').send(answer.body);
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

/**
 * The HTTP face: POST /orders (when there is an intake), /metrics, /healthz, /readyz. Fastify's own
 * body limit and JSON parser do the parsing (with prototype-poisoning protection); every error they
 * raise is mapped to the documented bodies, so fastify's default error shapes never leak.
 */
export function buildHttpApp(opts: HttpOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false, return503OnClosing: true });
  registerHttpMetrics(app, opts.registry);
  registerMetricsRoute(app, opts.registry);

  app.setErrorHandler((err: FastifyError, _request, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413) return send(reply, TOO_LARGE);
    if (status >= 400 && status < 500) return send(reply, INVALID);
    opts.logger.error({ err: describeError(err) }, 'request failed');
    return send(reply, UNAVAILABLE);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('application/json').send(NOT_FOUND));

  const intake = opts.intake;
  if (intake !== undefined) {
    app.post('/orders', async (request, reply) => {
      const acceptedAt = Date.now();
      const key = request.headers['idempotency-key'];
      if (Array.isArray(key)) return send(reply, INVALID);
      return send(reply, await intake.submit(request.body, key, acceptedAt));
    });
  }

  app.get('/healthz', async (_request, reply) => reply.type('application/json').send('{"status":"ok"}'));
  app.get('/readyz', async (_request, reply) => {
    try {
      await Promise.all(opts.readiness.map((check) => withTimeout(check(), READY_TIMEOUT_MS)));
      return reply.type('application/json').send('{"status":"ready"}');
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', reason: describeError(err) });
    }
  });
  return app;
}
