/**
 * The tickets service's public surface for the rest of peaklab (the CLI, the lab, benchmarks): the
 * domain, and the service's config and composition root. The Postgres adapter is in ./pg/
 * (store.ts, sql.ts, migrations.ts); it imports no driver either, only a `Queryable` that pg's
 * Pool and PoolClient fit.
 */
export { ACK_MODES, type AckMode, TICKETS_RULES, TICKETS_SPEC, type TicketsConfig } from './config.js';
export {
  type CorpusKind,
  type CorpusMix,
  type CorpusTicket,
  corpus,
  corpusTicket,
  DEFAULT_MIX,
} from './corpus.js';
export { bodyDigest, MAX_IDEMPOTENCY_KEY_CHARS, readIdempotencyKey, replayKind } from './idempotency.js';
export { formatCents, parseAmount } from './money.js';
export { parseTicket } from './parse.js';
export { type ProductUpsert, productUpserts, type TreatedTicket } from './products.js';
export { type RunningTickets, startTickets } from './service.js';
export { type SignatureCheck, type SignatureVerifier, signatureVerifier, signBody } from './signature.js';
export {
  ERROR_KINDS,
  LIMITS,
  type ParsedTicket,
  type ParseErrorKind,
  type ParseResult,
  type TicketLine,
  type TicketParseError,
  type TicketWarning,
  WARNING_KINDS,
  type WarningKind,
} from './ticket.js';
