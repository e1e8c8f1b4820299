import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../lifecycle/readiness.js';

/**
 * `GET /healthz`: 200 `{"status":"ok"}` while the process serves HTTP (liveness).
 * `GET /readyz`: 200 `{"status":"ready"}` when every readiness check the backends registered
 * answers within its timeout, else 503 `{"status":"unavailable","reason":"<backend>: <why>"}`.
 */
export function registerProbes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/healthz', async (_request, reply) => reply.type('application/json').send('{"status":"ok"}'));
  app.get('/readyz', async (_request, reply) => {
    const result = await readiness.check();
    if (result.ready) return reply.type('application/json').send('{"status":"ready"}');
    return reply.code(503).send({ status: 'unavailable', reason: result.reason });
  });
}
