import type { Lifecycle } from '../../../platform/lifecycle/lifecycle.js';
import {
  type BatchColumn,
  BatchWriter,
  columnLiterals,
  DataRejected,
  type ItemResults,
  type Migrations,
  quoteIdent,
  type SqlClient,
  splitOnDataError,
} from '../../../platform/postgres/mod.js';
import { OrderRejected } from '../domain/faults.js';
import type { StoredOrder } from '../domain/order.js';
import type { OrderStore, OrderTiming } from '../domain/ports.js';

/** The insert's unnest columns, in its parameter order ($1 … $7). */
const ORDER_COLUMNS: ReadonlyArray<BatchColumn<StoredOrder>> = [
  { text: (o) => o.id },
  { number: (o) => o.productId },
  { number: (o) => o.count },
  { text: (o) => o.username },
  { number: (o) => o.acceptedAt },
  { number: (o) => o.processedAt },
  { number: (o) => o.attempts },
];

/** The orders table's schema changes, recorded under the component name "orders". */
export const ORDER_MIGRATIONS: Migrations = {
  component: 'orders',
  // Releases before components recorded orders' versions without a name: they are orders'.
  adoptUnowned: true,
  steps: [
    `CREATE TABLE IF NOT EXISTS orders (
      id text PRIMARY KEY,
      product_id integer NOT NULL CHECK (product_id BETWEEN 0 AND 100),
      count integer NOT NULL CHECK (count BETWEEN 0 AND 100),
      username text NOT NULL,
      accepted_at timestamptz NOT NULL,
      processed_at timestamptz,
      attempts integer NOT NULL DEFAULT 1
    )`,
  ],
};

// Postgres allows 65535 bind parameters, but unnest() takes 7 arrays whatever the batch size.
const MAX_BATCH = 2000;

interface TimingRow {
  id: string;
  accepted_ms: number;
  processed_ms: number | null;
}

/**
 * The orders table behind a SqlClient. Writes are group-committed: one INSERT ... SELECT FROM
 * unnest(...) per batch, ON CONFLICT (id) DO NOTHING so a redelivered or retried order keeps one
 * row. It reports which rows it inserted, so each caller learns whether its row is new. A batch
 * the database refuses for its data is split until only the bad rows fail, each as OrderRejected.
 */
export class SqlOrderStore implements OrderStore {
  readonly #insert: string;
  readonly #timings: string;
  readonly #writer: BatchWriter<StoredOrder, boolean>;

  /**
   * `writeConcurrency`: how many batches may be written at once. `traced` (default true): a span
   * per batch linked to its callers' spans; false skips that work for an untraced service.
   */
  constructor(
    private readonly client: SqlClient,
    schema: string,
    writeConcurrency: number,
    opts: { readonly traced?: boolean } = {},
  ) {
    const s = quoteIdent(schema);
    // One row back: NULL when every row was inserted (the common case, which then costs the client
    // nothing; a row per id cost ~1.3 µs of Node CPU each), else the ids that were.
    this.#insert = `WITH ins AS (
        INSERT INTO ${s}.orders (id, product_id, count, username, accepted_at, processed_at, attempts)
        SELECT id, p, c, u, to_timestamp(a / 1000.0), to_timestamp(pr / 1000.0), att
        FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::float8[], $6::float8[], $7::int[])
          AS t(id, p, c, u, a, pr, att)
        ON CONFLICT (id) DO NOTHING
        RETURNING id)
      SELECT CASE WHEN count(*) = cardinality($1::text[]) THEN NULL ELSE coalesce(array_agg(id), '{}') END AS inserted
      FROM ins`;
    this.#timings = `SELECT id,
        (extract(epoch FROM accepted_at) * 1000)::float8 AS accepted_ms,
        (extract(epoch FROM processed_at) * 1000)::float8 AS processed_ms
      FROM ${s}.orders ORDER BY accepted_at, id`;
    const write = splitOnDataError((batch: StoredOrder[]) => this.#insertRows(batch));
    this.#writer = new BatchWriter(
      (batch) => write(batch).then(asOrderResults),
      writeConcurrency,
      MAX_BATCH,
      opts.traced === false ? {} : { spanName: 'orders insert' },
    );
  }

  /** Registers the batch writer's drain on the lifecycle (after the database it writes to). */
  register(lifecycle: Lifecycle): this {
    lifecycle.add({ name: 'orders writer', unit: 'rows', drain: (signal) => this.#writer.drain(signal) });
    return this;
  }

  save(order: StoredOrder): Promise<boolean> {
    return this.#writer.add(order);
  }

  /** One result per row: true = inserted, false = already there. */
  async #insertRows(batch: StoredOrder[]): Promise<ItemResults<boolean>> {
    const { rows } = await this.client.query<{ inserted: string[] | null }>(
      this.#insert,
      columnLiterals(batch, ORDER_COLUMNS),
    );
    return insertedFlags(batch, rows[0]?.inserted ?? null);
  }

  async timings(): Promise<OrderTiming[]> {
    const { rows } = await this.client.query<TimingRow>(this.#timings);
    return rows.map((r) => ({
      id: r.id,
      acceptedAt: Number(r.accepted_ms),
      processedAt: r.processed_ms === null ? null : Number(r.processed_ms),
    }));
  }
}

/** The domain's error for a row the database refused; other results pass as they are. */
function asOrderResults(results: ItemResults<boolean>): ItemResults<boolean> {
  return results.map((r) =>
    r instanceof DataRejected
      ? new OrderRejected(`the database refused the order: ${r.message}`, { cause: r })
      : r,
  );
}

/** Which rows of the batch this INSERT created, given the ids it inserted (null: all of them). */
function insertedFlags(batch: StoredOrder[], ids: string[] | null): boolean[] {
  if (ids === null) return new Array<boolean>(batch.length).fill(true);
  const fresh = new Set(ids);
  // The same id twice in one batch (racing retries): only the first is the inserted one.
  return batch.map((o) => fresh.delete(o.id));
}
