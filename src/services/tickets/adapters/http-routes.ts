import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { ErrorBodies } from '../../../platform/http/errors.js';
import { allowOnly } from '../../../platform/http/method-guard.js';
import type { SqlClient } from '../../../platform/postgres/mod.js';
import { describeError } from '../../../shared/errors.js';
import { readIdempotencyKey } from '../idempotency.js';
import { formatCents } from '../money.js';
import type { TicketSql } from '../pg/sql.js';
import { type ProductView, readProduct, readTicket, type TicketView } from '../pg/store.js';
import type { SignatureVerifier } from '../signature.js';
import { LIMITS } from '../ticket.js';
import { IntakeFull, type TicketIntake } from './intake.js';
import type { TicketMeter } from './metrics.js';

/** The limit: a body over 1 MiB is 413. */
export const BODY_LIMIT = LIMITS.maxBodyBytes;

/** What a client retries after, in seconds, when Postgres cannot take the ticket. */
export const RETRY_AFTER_S = '1';

/** The bodies of what never reaches a route (the platform's error map). */
export const TICKET_ERROR_BODIES: ErrorBodies = {
  invalid: '{"error":"invalid","detail":"the request is not valid"}',
  tooLarge: `{"error":"too_large","detail":"the body is over ${BODY_LIMIT} bytes"}`,
  notFound: '{"error":"not_found"}',
  unavailable: '{"error":"unavailable","detail":"the request failed; nothing was stored"}',
};

export interface RouteDeps {
  readonly intake: TicketIntake;
  readonly client: SqlClient;
  readonly sql: TicketSql;
  readonly meter: TicketMeter;
  readonly logger: Logger;
  /** Set when --secret is: every POST /ticket must be signed. */
  readonly verifier?: SignatureVerifier;
}

function fail(reply: FastifyReply, status: number, error: string, detail: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error, detail });
}

/** 503 + Retry-After: the database did not answer, so nothing was acknowledged. */
function unavailable(reply: FastifyReply, what: string, err: unknown): FastifyReply {
  reply.header('retry-after', RETRY_AFTER_S);
  return fail(reply, 503, 'unavailable', `${what}: ${describeError(err)}`);
}

// Space, tab, CR, LF only: a body of nothing else is empty (the parser's `empty`).
function blank(body: Buffer): boolean {
  for (const b of body) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  return true;
}

/** A product id worth a query: what the parser can store (1-64 characters, no control characters). */
const PRODUCT_ID = /^[^\p{Cc}]{1,64}$/u;

/**
 * The webhook's routes as a fastify plugin:
 * - GET /ping: 200 `Pong`.
 * - POST /ticket: any content type, the raw bytes up to 1 MiB (413 above). 401 without a valid
 *   signature (with --secret), 400 for an empty body or a bad Idempotency-Key, 422 for a key
 *   reused with another body, 503 + Retry-After when Postgres does not commit it, else
 *   202 `{"id","status":"received"}` once the ticket is committed (a replay: the same id, and
 *   `Idempotent-Replayed: true`).
 * - GET /tickets/:id and GET /products/:product_id: 200, 404, or 503 + Retry-After.
 */
export function ticketRoutes(deps: RouteDeps): FastifyPluginAsync {
  const { intake, client, sql, meter, verifier } = deps;
  return async (app) => {
    // Bytes as they came, whatever the content type says: the signature covers them, and a till
    // that sends text/csv or no type at all still has its ticket kept.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );

    app.get('/ping', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Pong'));
    allowOnly(app, '/ping', ['GET']);

    app.post('/ticket', async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (verifier !== undefined) {
        const signature = request.headers['x-signature'];
        const check = verifier.verify(body, Array.isArray(signature) ? signature.join(',') : signature);
        if (!check.ok) {
          meter.refused('signature');
          return fail(reply, 401, `signature_${check.reason}`, check.detail);
        }
      }
      const rawKey = request.headers['idempotency-key'];
      const key = readIdempotencyKey(Array.isArray(rawKey) ? rawKey.join(',') : rawKey);
      if (!key.ok) {
        meter.refused('bad_key');
        return fail(reply, 400, 'bad_idempotency_key', key.detail);
      }
      if (blank(body)) {
        meter.refused('empty');
        return fail(reply, 400, 'empty', 'the body is empty: nothing to store');
      }
      let result: Awaited<ReturnType<TicketIntake['submit']>>;
      try {
        result = await intake.submit(body, key.key);
      } catch (err) {
        meter.refused(err instanceof IntakeFull ? 'busy' : 'unavailable');
        return unavailable(reply, 'not stored', err);
      }
      switch (result.kind) {
        case 'stored':
          return reply.code(202).type('application/json').send(`{"id":"${result.id}","status":"received"}`);
        case 'replay':
          reply.header('idempotent-replayed', 'true');
          return reply.code(202).type('application/json').send(`{"id":"${result.id}","status":"received"}`);
        case 'key_reused':
          meter.refused('key_reused');
          return reply.code(422).type('application/json').send({
            error: 'idempotency_key_reused',
            detail: 'this Idempotency-Key was used for another body; nothing was stored',
            id: result.id,
          });
        case 'rejected':
          meter.refused('rejected');
          return fail(reply, 400, 'rejected', result.detail);
      }
    });
    allowOnly(app, '/ticket', ['POST']);

    app.get<{ Params: { id: string } }>('/tickets/:id', async (request, reply) => {
      let view: TicketView | null;
      try {
        view = await readTicket(client, sql, request.params.id);
      } catch (err) {
        return unavailable(reply, 'cannot read the ticket', err);
      }
      if (view === null) return fail(reply, 404, 'not_found', 'no ticket with this id');
      return reply.type('application/json').send(ticketJson(view));
    });
    allowOnly(app, '/tickets/:id', ['GET']);

    app.get<{ Params: { product_id: string } }>('/products/:product_id', async (request, reply) => {
      const id = request.params.product_id;
      let view: ProductView | null = null;
      try {
        if (PRODUCT_ID.test(id)) view = await readProduct(client, sql, id);
      } catch (err) {
        return unavailable(reply, 'cannot read the product', err);
      }
      if (view === null) return fail(reply, 404, 'not_found', 'no product with this id');
      return reply.type('application/json').send(productJson(view));
    });
    allowOnly(app, '/products/:product_id', ['GET']);
  };
}

const money = (cents: number | null) => (cents === null ? null : formatCents(cents));

/** GET /tickets/:id's body. Amounts as decimal strings ("14.90") and integer cents. */
export function ticketJson(v: TicketView): Record<string, unknown> {
  return {
    id: v.id,
    status: v.status,
    received_at: v.receivedAt.toISOString(),
    treated_at: v.treatedAt?.toISOString() ?? null,
    order: v.order,
    vat: money(v.vatCents),
    vat_cents: v.vatCents,
    total: money(v.totalCents),
    total_cents: v.totalCents,
    lines: v.lines.map((l) => ({
      row: l.row,
      product: l.product,
      product_id: l.productId,
      price: formatCents(l.priceCents),
      price_cents: l.priceCents,
    })),
    warnings: v.warnings,
    error: v.error,
  };
}

/** GET /products/:product_id's body: the price from the ticket with the highest seq. */
export function productJson(v: ProductView): Record<string, unknown> {
  return {
    product_id: v.productId,
    name: v.name,
    price: formatCents(v.priceCents),
    price_cents: v.priceCents,
    last_seen_at: v.lastSeenAt.toISOString(),
    last_ticket_id: v.lastTicketId,
  };
}
