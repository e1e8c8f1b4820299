/**
 * The products rule: one row per product_id, holding the name and price from the most recent ticket
 * that lists it.
 *
 * "Most recent" is the ticket's `seq`, a number Postgres gives each ticket when its raw body is
 * inserted, before the acknowledgement; it only grows (an identity column without a per-session
 * cache). So if ticket B was sent after ticket A was acknowledged, B's seq is greater, whatever order
 * the worker treats them in. Tickets in flight at the same moment are ordered by their insert: an
 * arbitrary but fixed order. `received_at` is informational; clocks can step back, seq cannot.
 */
import type { TicketLine } from './ticket.js';

/** A treated ticket, as the products rule needs it. */
export interface TreatedTicket {
  readonly id: string;
  readonly seq: number;
  readonly receivedAt: Date;
  readonly lines: readonly TicketLine[];
}

/** One products row to write, if its `ticketSeq` is newer than the row's. */
export interface ProductUpsert {
  readonly productId: string;
  readonly name: string;
  readonly priceCents: number;
  /** The received_at of the ticket that sets it. */
  readonly lastSeenAt: Date;
  readonly ticketSeq: number;
  readonly ticketId: string;
}

/**
 * The upserts for `tickets` (one ticket, or a batch treated in one transaction): one per product_id,
 * from the ticket with the highest seq and, within it, its last row; sorted by product_id.
 *
 * The sort is what keeps concurrent transactions from deadlocking: each locks its product rows in
 * this one global order, so no two can each hold a row the other waits for. One entry per product_id
 * is what Postgres needs too: ON CONFLICT DO UPDATE may not touch a row twice in one statement.
 */
export function productUpserts(tickets: readonly TreatedTicket[]): ProductUpsert[] {
  const latest = new Map<string, ProductUpsert>();
  for (const t of tickets) {
    for (const l of t.lines) {
      const held = latest.get(l.productId);
      // `>=` within one ticket (a later row of the same ticket wins), `>` never loses to an older ticket.
      if (held !== undefined && held.ticketSeq > t.seq) continue;
      latest.set(l.productId, {
        productId: l.productId,
        name: l.product,
        priceCents: l.priceCents,
        lastSeenAt: t.receivedAt,
        ticketSeq: t.seq,
        ticketId: t.id,
      });
    }
  }
  return [...latest.values()].sort((a, b) => compareProductIds(a.productId, b.productId));
}

/** The one order product rows are locked in: UTF-16 code units, the same in every process. */
export function compareProductIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
