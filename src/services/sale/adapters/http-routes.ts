import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ErrorBodies } from '../../../platform/http/errors.js';
import { allowOnly } from '../../../platform/http/method-guard.js';
import type { SaleDesk } from '../domain/desk.js';
import type { CheckoutResult, PurchaseResult, SaleView } from '../domain/outcomes.js';
import type { Query } from '../domain/params.js';

/** No request of the sale has a body; one over this many bytes is refused (413) unread. */
export const BODY_LIMIT = 4096;

/** The sale's bodies for what never reaches a route handler (the platform's error map). */
export const SALE_ERROR_BODIES: ErrorBodies = {
  invalid: '{"error":"invalid_params"}',
  tooLarge: '{"error":"payload_too_large"}',
  notFound: '{"error":"not_found"}',
  unavailable: '{"error":"unavailable"}',
};

const CHECKOUT_STATUS: Record<Exclude<CheckoutResult, 'reserved'>, number> = {
  invalid_params: 400,
  item_not_found: 404,
  item_unavailable: 409,
  user_limit_reached: 429,
  sold_out: 409,
  unavailable: 503,
};

const PURCHASE_STATUS: Record<Exclude<PurchaseResult, 'purchased'>, number> = {
  invalid_params: 400,
  code_not_found: 404,
  code_expired: 410,
  code_used: 409,
  item_sold: 409,
  user_limit_reached: 429,
  unavailable: 503,
};

function send(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('application/json').send(body);
}

/** The error texts are the result names: plain identifiers, nothing to escape. */
const errorBody = (result: string) => `{"error":"${result}"}`;

/** GET /sale's body: times as ISO 8601 (UTC). */
export function saleBody(v: SaleView): string {
  return JSON.stringify({
    id: v.id,
    start: new Date(v.startsAt).toISOString(),
    end: new Date(v.endsAt).toISOString(),
    items: v.items,
    user_limit: v.userLimit,
    sold: v.sold,
    reserved: v.reserved,
  });
}

/**
 * The sale's routes as a fastify plugin:
 * - POST /checkout?user_id=U&id=I -> 200 {"code","item_id","expires_at"} or the error by result;
 * - POST /purchase?code=C -> 200 {"status":"purchased","item_id","user_id"} or the error;
 * - GET /sale -> the current sale and its counts (503 when a backend cannot answer);
 * - any other method on these paths -> 405 with Allow.
 * Everything is in the query string. A body is never read: this plugin's only content parser
 * discards it (so a malformed JSON body cannot turn a checkout into a 400 that was never recorded),
 * and one over BODY_LIMIT is a 413.
 */
export function saleRoutes(desk: SaleDesk): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));

    app.post('/checkout', async (request, reply) => {
      const o = await desk.checkout(request.query as Query);
      if (o.result !== 'reserved') return send(reply, CHECKOUT_STATUS[o.result], errorBody(o.result));
      const expires = new Date(o.expiresAt).toISOString();
      return send(reply, 200, `{"code":"${o.code}","item_id":${o.item},"expires_at":"${expires}"}`);
    });

    app.post('/purchase', async (request, reply) => {
      const o = await desk.purchase(request.query as Query);
      if (o.result !== 'purchased') return send(reply, PURCHASE_STATUS[o.result], errorBody(o.result));
      // The user id is a decimal of at most 16 digits, a safe integer: a JSON number as is.
      return send(reply, 200, `{"status":"purchased","item_id":${o.item},"user_id":${o.user}}`);
    });

    app.get('/sale', async (_request, reply) => send(reply, 200, saleBody(await desk.view())));

    allowOnly(app, '/checkout', ['POST']);
    allowOnly(app, '/purchase', ['POST']);
    allowOnly(app, '/sale', ['GET']);
  };
}
