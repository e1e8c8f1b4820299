/**
 * The tickets component's schema, as migration steps: step i (0-based) is version i + 1, applied once
 * per schema, in order, one statement per step (so it also runs where a query takes one statement).
 * A step is never edited once released; a change is a new step at the end.
 *
 * Tables:
 * - tickets: one row per acknowledged ticket. `body` is the raw bytes (bytea, since a body may be
 *   Windows-1252 or binary garbage, and text cannot hold a NUL), `seq` the acknowledgement order,
 *   `idempotency_key` unique per schema with `body_sha256` to tell a retry from a reused key.
 *   `status` goes received -> treated | error once; `error` holds the parse error for `error`,
 *   `warnings` the parse warnings for both.
 * - ticket_lines: the kept rows of a treated ticket, by CSV data row.
 * - products: one row per product_id, from the ticket with the highest seq that lists it.
 */

export const TICKETS_COMPONENT = 'tickets';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** `schema` as a quoted identifier; throws a RangeError unless it is a plain lowercase name. */
export function schemaIdent(schema: string): string {
  if (!IDENT.test(schema))
    throw new RangeError(`schema ${JSON.stringify(schema)} is not [a-z_][a-z0-9_]{0,62}`);
  return `"${schema}"`;
}

/** The migration steps for `schema` (which must already exist). */
export function ticketMigrations(schema: string): string[] {
  const s = schemaIdent(schema);
  return [
    // An identity has no per-session cache by default, so seq only grows across connections: the
    // products rule depends on it.
    `CREATE TABLE ${s}.tickets (
      id uuid PRIMARY KEY,
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      idempotency_key text UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
      body bytea NOT NULL,
      body_sha256 bytea NOT NULL CHECK (length(body_sha256) = 32),
      received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'treated', 'error')),
      treated_at timestamptz,
      order_ref text,
      vat_cents bigint,
      total_cents bigint,
      line_count integer,
      warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
      error jsonb,
      CHECK ((status = 'error') = (error IS NOT NULL)),
      CHECK ((status = 'received') = (treated_at IS NULL))
    )`,
    // The worker's queue: the oldest received tickets, without scanning the treated ones.
    `CREATE INDEX tickets_received_seq ON ${s}.tickets (seq) WHERE status = 'received'`,
    `CREATE TABLE ${s}.ticket_lines (
      ticket_id uuid NOT NULL REFERENCES ${s}.tickets (id) ON DELETE CASCADE,
      row_no integer NOT NULL CHECK (row_no >= 1),
      product text NOT NULL,
      product_id text NOT NULL,
      price_cents bigint NOT NULL,
      PRIMARY KEY (ticket_id, row_no)
    )`,
    `CREATE INDEX ticket_lines_product_id ON ${s}.ticket_lines (product_id)`,
    `CREATE TABLE ${s}.products (
      product_id text PRIMARY KEY,
      name text NOT NULL,
      price_cents bigint NOT NULL,
      last_seen_at timestamptz NOT NULL,
      last_ticket_seq bigint NOT NULL,
      last_ticket_id uuid NOT NULL
    )`,
  ];
}
