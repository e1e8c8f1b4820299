/**
 * The statements of the tickets component, built once per schema. Batches travel as arrays
 * (`unnest`), so one statement text serves every batch size and can be prepared once; only the
 * intake insert uses a VALUES list, because its bodies go as binary parameters (up to 1 MiB each)
 * and an array would send them hex-encoded, at twice the size.
 */
import { schemaIdent } from './migrations.js';

export interface TicketSql {
  /** $1 uuid, $2 key, $3 body, $4 sha256 per ticket; returns (id, seq, received_at) of the new rows only. */
  insert(count: number): string;
  /** $1 text[] keys -> (id, seq, received_at, status, body_sha256, idempotency_key). */
  readonly byKeys: string;
  /** $1 limit -> (id, seq, received_at, body), oldest first, locked until the transaction ends. */
  readonly claim: string;
  /** Parallel arrays (see store.ts) -> the ids that moved from received; the others were already done. */
  readonly finish: string;
  /** Parallel arrays ticket_id, row_no, product, product_id, price_cents. */
  readonly insertLines: string;
  /** Parallel arrays in lock order; a row changes only for a newer ticket seq. */
  readonly upsertProducts: string;
  readonly ticket: string;
  readonly ticketLines: string;
  readonly product: string;
  /** -> (received, treated, error, lines, products) row counts. */
  readonly counts: string;
  /** -> (backlog): tickets acknowledged and not yet treated, through the partial index. */
  readonly backlog: string;
}

/** The statements for `schema`; throws a RangeError for a name that is not a plain identifier. */
export function ticketSql(schema: string): TicketSql {
  const s = schemaIdent(schema);
  const inserts = new Map<number, string>();
  return {
    insert(count) {
      let text = inserts.get(count);
      if (text === undefined) {
        const rows = Array.from({ length: count }, (_, i) => {
          const p = i * 4;
          return `($${p + 1}::uuid, $${p + 2}::text, $${p + 3}::bytea, $${p + 4}::bytea)`;
        });
        text = `INSERT INTO ${s}.tickets (id, idempotency_key, body, body_sha256) VALUES ${rows.join(', ')}
          ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, seq, received_at`;
        inserts.set(count, text);
      }
      return text;
    },
    byKeys: `SELECT id, seq, received_at, status, body_sha256, idempotency_key FROM ${s}.tickets
      WHERE idempotency_key = ANY($1::text[])`,
    claim: `SELECT id, seq, received_at, body FROM ${s}.tickets WHERE status = 'received'
      ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
    finish: `UPDATE ${s}.tickets AS t SET status = u.status, treated_at = clock_timestamp(),
        order_ref = u.order_ref, vat_cents = u.vat_cents, total_cents = u.total_cents,
        line_count = u.line_count, warnings = u.warnings::jsonb, error = u.error::jsonb
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::integer[], $7::text[], $8::text[])
        AS u(id, status, order_ref, vat_cents, total_cents, line_count, warnings, error)
      WHERE t.id = u.id AND t.status = 'received'
      RETURNING t.id`,
    insertLines: `INSERT INTO ${s}.ticket_lines (ticket_id, row_no, product, product_id, price_cents)
      SELECT * FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::text[], $5::bigint[])`,
    // ORDER BY ord keeps the caller's order, which is the lock order (see products.ts); the WHERE
    // makes an older ticket, treated late, leave a newer price alone.
    upsertProducts: `INSERT INTO ${s}.products AS p
        (product_id, name, price_cents, last_seen_at, last_ticket_seq, last_ticket_id)
      SELECT u.product_id, u.name, u.price_cents, u.last_seen_at, u.last_ticket_seq, u.last_ticket_id
      FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::bigint[], $6::uuid[])
        WITH ORDINALITY AS u(product_id, name, price_cents, last_seen_at, last_ticket_seq, last_ticket_id, ord)
      ORDER BY u.ord
      ON CONFLICT (product_id) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents,
        last_seen_at = excluded.last_seen_at, last_ticket_seq = excluded.last_ticket_seq,
        last_ticket_id = excluded.last_ticket_id
      WHERE excluded.last_ticket_seq > p.last_ticket_seq`,
    ticket: `SELECT id, seq, status, received_at, treated_at, order_ref, vat_cents, total_cents, line_count,
        warnings, error FROM ${s}.tickets WHERE id = $1::uuid`,
    ticketLines: `SELECT row_no, product, product_id, price_cents FROM ${s}.ticket_lines
      WHERE ticket_id = $1::uuid ORDER BY row_no`,
    product: `SELECT product_id, name, price_cents, last_seen_at, last_ticket_seq, last_ticket_id
      FROM ${s}.products WHERE product_id = $1`,
    counts: `SELECT
        (SELECT count(*) FROM ${s}.tickets WHERE status = 'received') AS received,
        (SELECT count(*) FROM ${s}.tickets WHERE status = 'treated') AS treated,
        (SELECT count(*) FROM ${s}.tickets WHERE status = 'error') AS error,
        (SELECT count(*) FROM ${s}.ticket_lines) AS lines,
        (SELECT count(*) FROM ${s}.products) AS products`,
    backlog: `SELECT count(*) AS backlog FROM ${s}.tickets WHERE status = 'received'`,
  };
}
