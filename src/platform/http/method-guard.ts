import type { FastifyInstance, HTTPMethods } from 'fastify';

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/**
 * Answers any method but `allowed` on `url` with 405, an `Allow` header and `body` (a JSON string),
 * where fastify would answer 404 as if the path did not exist. Register it beside the routes of
 * `url`; fastify adds HEAD to a GET route by itself, so HEAD counts as allowed with GET.
 */
export function allowOnly(
  app: FastifyInstance,
  url: string,
  allowed: readonly HTTPMethods[],
  body = '{"error":"method_not_allowed"}',
): void {
  const permitted = new Set<HTTPMethods>(allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed);
  const allow = [...permitted].join(', ');
  const others = METHODS.filter((m) => !permitted.has(m));
  app.route({
    method: others,
    url,
    handler: async (_request, reply) =>
      reply.code(405).header('allow', allow).type('application/json').send(body),
  });
}
