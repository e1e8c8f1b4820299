import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { describeError } from '../../shared/errors.js';

/**
 * The JSON bodies a service answers with when the request never reached a route handler, or a
 * handler threw: each a ready-made JSON string. A service picks its own shapes (orders answers
 * `{"result":"invalid"}`); the defaults are `{"error":"<kind>"}`.
 */
export interface ErrorBodies {
  /** 400: the body does not parse, the content type is not accepted, any other 4xx of fastify's. */
  readonly invalid: string;
  /** 413: the body is over the limit. */
  readonly tooLarge: string;
  /** 404: no route. */
  readonly notFound: string;
  /** 503: a handler threw; the request was not carried out, so a client may retry it. */
  readonly unavailable: string;
}

export const DEFAULT_ERROR_BODIES: ErrorBodies = {
  invalid: '{"error":"invalid"}',
  tooLarge: '{"error":"too-large"}',
  notFound: '{"error":"not-found"}',
  unavailable: '{"error":"unavailable"}',
};

/**
 * Maps every error fastify raises (its body limit, its JSON parser with prototype-poisoning
 * protection, an unsupported content type) and every error a handler throws to one of the
 * documented bodies, so fastify's default error shapes never leak. Handler errors are logged.
 */
export function registerErrorMap(app: FastifyInstance, bodies: ErrorBodies, logger: Logger): void {
  app.setErrorHandler((err: FastifyError, _request, reply) => {
    const status = err.statusCode ?? 500;
    reply.type('application/json');
    if (status === 413) return reply.code(413).send(bodies.tooLarge);
    if (status >= 400 && status < 500) return reply.code(400).send(bodies.invalid);
    logger.error({ err: describeError(err) }, 'request failed');
    return reply.code(503).send(bodies.unavailable);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('application/json').send(bodies.notFound));
}
