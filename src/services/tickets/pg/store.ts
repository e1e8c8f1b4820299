/**
 * The tickets component's Postgres adapter: plain functions over a connection, so the platform's
 * group-commit writer and worker pool call them with whatever connection and transaction they hold.
 * Timeouts and retries are the caller's (the platform sets statement and lock timeouts per pool).
 *
 * The life of a ticket:
 * 1. receiveTickets (the intake, batched): the raw body is inserted; the 202 goes out after COMMIT.
 * 2. claimReceived + recordTreatments (a worker, in ONE transaction): lock the oldest received
 *    tickets (SKIP LOCKED: workers never wait on each other), parse them, then write status, lines
 *    and products together, so a crash at any point leaves each ticket either received or done.
 */
import { replayKind } from '../idempotency.js';
import { type ProductUpsert, productUpserts, type TreatedTicket } from '../products.js';
import type { ParseResult, TicketLine, TicketParseError, TicketWarning } from '../ticket.js';
import type { TicketSql } from './sql.js';

/** What the adapter needs from a connection; pg's Pool and PoolClient both fit. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface IncomingTicket {
  /** A new UUID, chosen by the caller. */
  readonly id: string;
  readonly idempotencyKey: string | null;
  readonly body: Uint8Array;
  /** bodyDigest(body): 32 bytes. */
  readonly digest: Uint8Array;
}

export type ReceiveOutcome =
  /** Inserted now: durable once the surrounding transaction commits. */
  | { readonly kind: 'stored'; readonly id: string; readonly seq: number; readonly receivedAt: Date }
  /** The key was stored before with the same body: that ticket, nothing new stored. */
  | { readonly kind: 'replay'; readonly id: string; readonly seq: number; readonly receivedAt: Date }
  /** The key was stored before with another body: nothing stored. */
  | { readonly kind: 'key_reused'; readonly id: string };

/** Tickets per receiveTickets call: Postgres takes at most 65535 bind parameters, 4 per ticket. */
export const MAX_RECEIVE_BATCH = 16_383;

/**
 * Inserts `tickets` (in order: their seqs follow it) and returns one outcome per ticket, in the same
 * order. A key repeated inside the batch is a replay (or key_reused) of its first occurrence.
 * Throws a RangeError above MAX_RECEIVE_BATCH tickets; bounding the batch's bytes is the caller's.
 */
export async function receiveTickets(
  q: Queryable,
  sql: TicketSql,
  tickets: readonly IncomingTicket[],
): Promise<ReceiveOutcome[]> {
  if (tickets.length === 0) return [];
  if (tickets.length > MAX_RECEIVE_BATCH) {
    throw new RangeError(`${tickets.length} tickets in one insert, at most ${MAX_RECEIVE_BATCH}`);
  }
  const values = tickets.flatMap((t) => [t.id, t.idempotencyKey, asBuffer(t.body), asBuffer(t.digest)]);
  const inserted = new Map<string, { seq: number; receivedAt: Date }>();
  for (const r of (await q.query(sql.insert(tickets.length), values)).rows as InsertedRow[]) {
    inserted.set(r.id, { seq: int(r.seq), receivedAt: r.received_at });
  }
  const conflicted = tickets.filter((t) => !inserted.has(t.id));
  const byKey = new Map<string, KeyRow>();
  if (conflicted.length > 0) {
    const keys = conflicted.map((t) => t.idempotencyKey);
    for (const r of (await q.query(sql.byKeys, [keys])).rows as KeyRow[]) byKey.set(r.idempotency_key, r);
  }
  return tickets.map((t): ReceiveOutcome => {
    const row = inserted.get(t.id);
    if (row !== undefined) return { kind: 'stored', id: t.id, ...row };
    // Not inserted means its key conflicted, so the key is set and its row exists.
    const held = byKey.get(t.idempotencyKey as string);
    if (held === undefined) throw new Error(`ticket ${t.id} was neither inserted nor found by its key`);
    if (replayKind(held.body_sha256, t.digest) === 'key_reused') return { kind: 'key_reused', id: held.id };
    return { kind: 'replay', id: held.id, seq: int(held.seq), receivedAt: held.received_at };
  });
}

export interface ClaimedTicket {
  readonly id: string;
  readonly seq: number;
  readonly receivedAt: Date;
  readonly body: Buffer;
}

/**
 * Locks and returns up to `limit` received tickets, oldest seq first, skipping those another
 * transaction holds. Call inside a transaction: the locks are what keeps two workers apart.
 */
export async function claimReceived(tx: Queryable, sql: TicketSql, limit: number): Promise<ClaimedTicket[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`claim limit ${limit} is not a positive integer`);
  const rows = (await tx.query(sql.claim, [limit])).rows as ClaimRow[];
  return rows.map((r) => ({ id: r.id, seq: int(r.seq), receivedAt: r.received_at, body: r.body }));
}

/** One ticket's parse, to record. */
export interface Treatment {
  readonly ticket: Pick<ClaimedTicket, 'id' | 'seq' | 'receivedAt'>;
  readonly result: ParseResult;
}

export interface TreatmentSummary {
  readonly treated: number;
  readonly error: number;
  /** Tickets that were no longer `received` (done by someone else): nothing was written for them. */
  readonly skipped: number;
  /** The ids this call moved from received (the others were skipped). */
  readonly done: ReadonlySet<string>;
}

/**
 * Records parse results: status, parsed fields, warnings and error details; the lines of treated
 * tickets; the products upserts (one statement, in lock order). Call in the transaction that claimed
 * the tickets (or inserted them), so all of it commits together or not at all.
 */
export async function recordTreatments(
  tx: Queryable,
  sql: TicketSql,
  treatments: readonly Treatment[],
): Promise<TreatmentSummary> {
  if (treatments.length === 0) return { treated: 0, error: 0, skipped: 0, done: new Set() };
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const { ticket, result } of treatments) {
    const row = result.ok
      ? [
          ticket.id,
          'treated',
          result.ticket.order,
          result.ticket.vatCents,
          result.ticket.totalCents,
          result.ticket.lines.length,
          JSON.stringify(result.ticket.warnings),
          null,
        ]
      : [
          ticket.id,
          'error',
          result.error.order ?? null,
          null,
          null,
          null,
          JSON.stringify(result.error.warnings),
          JSON.stringify(errorDetails(result.error)),
        ];
    for (const [i, v] of row.entries()) (cols[i] as unknown[]).push(v);
  }
  const done = new Set(((await tx.query(sql.finish, cols)).rows as { id: string }[]).map((r) => r.id));
  const treated: TreatedTicket[] = [];
  let errors = 0;
  for (const { ticket, result } of treatments) {
    if (!done.has(ticket.id)) continue;
    if (result.ok) treated.push({ ...ticket, lines: result.ticket.lines });
    else errors++;
  }
  if (treated.length > 0) {
    const lines = treated.flatMap((t) => t.lines.map((l) => [t.id, l] as const));
    await tx.query(sql.insertLines, [
      lines.map(([id]) => id),
      lines.map(([, l]) => l.row),
      lines.map(([, l]) => l.product),
      lines.map(([, l]) => l.productId),
      lines.map(([, l]) => l.priceCents),
    ]);
    await upsertProducts(tx, sql, productUpserts(treated));
  }
  return { treated: treated.length, error: errors, skipped: treatments.length - done.size, done };
}

/**
 * Writes `upserts` in the order given, which must be productUpserts' order (sorted, one per id):
 * another order can deadlock against a concurrent transaction.
 */
export async function upsertProducts(
  tx: Queryable,
  sql: TicketSql,
  upserts: readonly ProductUpsert[],
): Promise<void> {
  if (upserts.length === 0) return;
  await tx.query(sql.upsertProducts, [
    upserts.map((u) => u.productId),
    upserts.map((u) => u.name),
    upserts.map((u) => u.priceCents),
    upserts.map((u) => u.lastSeenAt),
    upserts.map((u) => u.ticketSeq),
    upserts.map((u) => u.ticketId),
  ]);
}

/** The stored error details: the parse error without its warnings (they have their own column). */
export function errorDetails(error: TicketParseError): Omit<TicketParseError, 'warnings'> {
  const { warnings: _, ...details } = error;
  return details;
}

export type TicketStatus = 'received' | 'treated' | 'error';

/** A stored ticket, as GET /tickets/:id shows it. Amounts in cents. */
export interface TicketView {
  readonly id: string;
  readonly seq: number;
  readonly status: TicketStatus;
  readonly receivedAt: Date;
  readonly treatedAt: Date | null;
  readonly order: string | null;
  readonly vatCents: number | null;
  readonly totalCents: number | null;
  readonly lines: readonly TicketLine[];
  readonly warnings: readonly TicketWarning[];
  readonly error: Omit<TicketParseError, 'warnings'> | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ticket `id`, or null when there is none (an id that is not a UUID is none, not an error). */
export async function readTicket(q: Queryable, sql: TicketSql, id: string): Promise<TicketView | null> {
  if (!UUID.test(id)) return null;
  const [row] = (await q.query(sql.ticket, [id])).rows as TicketRow[];
  if (row === undefined) return null;
  const lines = row.status === 'treated' ? ((await q.query(sql.ticketLines, [id])).rows as LineRow[]) : [];
  return {
    id: row.id,
    seq: int(row.seq),
    status: row.status,
    receivedAt: row.received_at,
    treatedAt: row.treated_at,
    order: row.order_ref,
    vatCents: row.vat_cents === null ? null : int(row.vat_cents),
    totalCents: row.total_cents === null ? null : int(row.total_cents),
    lines: lines.map((l) => ({
      row: l.row_no,
      product: l.product,
      productId: l.product_id,
      priceCents: int(l.price_cents),
    })),
    warnings: row.warnings,
    error: row.error,
  };
}

/** A products row, as GET /products/:product_id shows it. */
export interface ProductView {
  readonly productId: string;
  readonly name: string;
  readonly priceCents: number;
  readonly lastSeenAt: Date;
  readonly lastTicketSeq: number;
  readonly lastTicketId: string;
}

export async function readProduct(
  q: Queryable,
  sql: TicketSql,
  productId: string,
): Promise<ProductView | null> {
  const [row] = (await q.query(sql.product, [productId])).rows as ProductRow[];
  if (row === undefined) return null;
  return {
    productId: row.product_id,
    name: row.name,
    priceCents: int(row.price_cents),
    lastSeenAt: row.last_seen_at,
    lastTicketSeq: int(row.last_ticket_seq),
    lastTicketId: row.last_ticket_id,
  };
}

export interface TicketCounts {
  readonly received: number;
  readonly treated: number;
  readonly error: number;
  readonly lines: number;
  readonly products: number;
}

/** Row counts, for the lab's report and tests (a full count: not for every scrape; see backlog). */
export async function countTickets(q: Queryable, sql: TicketSql): Promise<TicketCounts> {
  const [r] = (await q.query(sql.counts)).rows as Record<keyof TicketCounts, string>[];
  if (r === undefined) throw new Error('the counts query returned no row');
  return {
    received: int(r.received),
    treated: int(r.treated),
    error: int(r.error),
    lines: int(r.lines),
    products: int(r.products),
  };
}

/** Tickets acknowledged and not yet treated (the `tickets_backlog` gauge). */
export async function readBacklog(q: Queryable, sql: TicketSql): Promise<number> {
  const [r] = (await q.query(sql.backlog)).rows as { backlog: string }[];
  return r === undefined ? 0 : int(r.backlog);
}

// pg returns bigint as a string (it may exceed 2^53); ours never do: seqs, counts and cents are bounded.
function int(v: string | number | bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${String(v)} is not a safe integer`);
  return n;
}

// pg sends a Buffer as a binary parameter; any other Uint8Array it would turn into text.
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface InsertedRow {
  id: string;
  seq: string;
  received_at: Date;
}
interface KeyRow extends InsertedRow {
  status: TicketStatus;
  body_sha256: Buffer;
  idempotency_key: string;
}
interface ClaimRow extends InsertedRow {
  body: Buffer;
}
interface TicketRow extends InsertedRow {
  status: TicketStatus;
  treated_at: Date | null;
  order_ref: string | null;
  vat_cents: string | null;
  total_cents: string | null;
  warnings: TicketWarning[];
  error: Omit<TicketParseError, 'warnings'> | null;
}
interface LineRow {
  row_no: number;
  product: string;
  product_id: string;
  price_cents: string;
}
interface ProductRow {
  product_id: string;
  name: string;
  price_cents: string;
  last_seen_at: Date;
  last_ticket_seq: string;
  last_ticket_id: string;
}
