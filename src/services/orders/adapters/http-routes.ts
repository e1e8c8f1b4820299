import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ErrorBodies } from '../../../platform/http/errors.js';
import type { Intake, IntakeOutcome } from '../domain/intake.js';

/** The limit: a body over 16 KiB is 413 {"result":"invalid"}. */
export const BODY_LIMIT = 16 * 1024;

/** The orders API's bodies for what never reaches POST /orders (the platform's error map). */
export const ORDER_ERROR_BODIES: ErrorBodies = {
  invalid: '{"result":"invalid"}',
  tooLarge: '{"result":"invalid"}',
  notFound: '{"result":"not-found"}',
  unavailable: '{"result":"unavailable"}',
};

/** How a shed request is answered: the seed's 500, or 503 with Retry-After: 1. */
export type ShedStatus = '500' | '503';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly retryAfter?: string;
}

const INVALID: Answer = { status: 400, body: ORDER_ERROR_BODIES.invalid };
const KAPUT: Answer = { status: 500, body: '{"result":"server-kaput"}' };
const SHED_503: Answer = { status: 503, body: '{"result":"server-kaput"}', retryAfter: '1' };
const UNAVAILABLE: Answer = { status: 503, body: ORDER_ERROR_BODIES.unavailable };

function answerOf(outcome: IntakeOutcome, shed: Answer): Answer {
  switch (outcome.kind) {
    case 'created':
      // The id is a UUID: nothing in it needs JSON escaping.
      return { status: 200, body: `{"result":"created","id":"${outcome.id}"}` };
    case 'invalid':
      return INVALID;
    case 'shed':
      return shed;
    case 'failed':
      return KAPUT;
    case 'unavailable':
      return UNAVAILABLE;
  }
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  if (answer.retryAfter !== undefined) reply.header('retry-after', answer.retryAfter);
  return reply.code(answer.status).type('application/json').send(answer.body);
}

/**
 * POST /orders as a fastify plugin: the Idempotency-Key header and the parsed body go to the
 * intake, and its outcome becomes the documented status and body. Fastify's body limit and JSON
 * parser (with prototype-poisoning protection) run before it; their errors go through the error map.
 */
export function orderRoutes(intake: Intake, shedStatus: ShedStatus): FastifyPluginAsync {
  const shed = shedStatus === '503' ? SHED_503 : KAPUT;
  return async (app) => {
    app.post('/orders', async (request, reply) => {
      const acceptedAt = Date.now();
      const key = request.headers['idempotency-key'];
      if (Array.isArray(key)) return send(reply, INVALID);
      return send(reply, answerOf(await intake.submit(request.body, key, acceptedAt), shed));
    });
  };
}
