/**
 * The tickets domain's public surface. The Postgres adapter is in ./pg/ (store.ts, sql.ts,
 * migrations.ts); it imports no driver either, only a `Queryable` that pg's Pool and PoolClient fit.
 */
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
