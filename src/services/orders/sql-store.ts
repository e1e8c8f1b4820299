import { isDataError, OrderRejected, sqlStateOf } from './failure.js';
import { GroupCommit, type ItemResults } from './group-commit.js';
import type { StoredOrder } from './order.js';
import type { OrderStore, OrderTiming } from './ports.js';
import { quoteIdent, type SqlClient } from './sql.js';

// Postgres allows 65535 bind parameters, but unnest() takes 7 arrays whatever the batch size.
const MAX_BATCH = 2000;

interface TimingRow {
  id: string;
  accepted_ms: number;
  processed_ms: number | null;
}

/**
 * The orders table behind any SqlClient. Writes are group-committed: one INSERT ... SELECT FROM
 * unnest(...) per batch, ON CONFLICT (id) DO NOTHING so a redelivered or retried order keeps one row.
 * It reports which rows it inserted, so each caller learns whether its row is new. A batch that
 * Postgres refuses for the data in it (SQLSTATE class 22/23) is split in halves until only the bad
 * rows fail.
 */
export class SqlOrderStore implements OrderStore {
  readonly #insert: string;
  readonly #timings: string;
  readonly #commit: GroupCommit<StoredOrder, boolean>;

  constructor(
    private readonly client: SqlClient,
    schema: string,
    readonly description: string,
    maxInFlight: number,
    private readonly onClose: () => Promise<void>,
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
    this.#commit = new GroupCommit((batch) => this.#write(batch), maxInFlight, MAX_BATCH);
  }

  save(order: StoredOrder): Promise<boolean> {
    return this.#commit.add(order);
  }

  /** One result per row: true = inserted, false = already there, OrderRejected = its data refused. */
  async #write(batch: StoredOrder[]): Promise<ItemResults<boolean>> {
    try {
      return inserted(batch, await this.#insertRows(batch));
    } catch (err) {
      // Anything but a data error (connection, missing table) is the backend's: every row fails.
      if (!isDataError(err)) throw err;
      if (batch.length === 1) {
        const state = sqlStateOf(err) as string;
        return [
          new OrderRejected(`the database refused the order: ${(err as Error).message}`, state, {
            cause: err,
          }),
        ];
      }
      // One bad row fails the whole statement; halving finds it in about 2·log2(n) statements.
      const mid = batch.length >> 1;
      const head = await this.#write(batch.slice(0, mid));
      const tail = await this.#write(batch.slice(mid));
      return head.concat(tail);
    }
  }

  /** The ids inserted, or null if all were. */
  async #insertRows(batch: StoredOrder[]): Promise<string[] | null> {
    const n = batch.length;
    const ids = new Array<string>(n);
    const products = new Array<number>(n);
    const counts = new Array<number>(n);
    const users = new Array<string>(n);
    const accepted = new Array<number>(n);
    const processed = new Array<number>(n);
    const attempts = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const o = batch[i] as StoredOrder;
      ids[i] = o.id;
      products[i] = o.productId;
      counts[i] = o.count;
      users[i] = o.username;
      accepted[i] = o.acceptedAt;
      processed[i] = o.processedAt;
      attempts[i] = o.attempts;
    }
    const { rows } = await this.client.query(this.#insert, [
      ids,
      products,
      counts,
      users,
      accepted,
      processed,
      attempts,
    ]);
    return (rows[0] as { inserted: string[] | null } | undefined)?.inserted ?? null;
  }

  async timings(): Promise<OrderTiming[]> {
    const { rows } = await this.client.query(this.#timings);
    return (rows as TimingRow[]).map((r) => ({
      id: r.id,
      acceptedAt: Number(r.accepted_ms),
      processedAt: r.processed_ms === null ? null : Number(r.processed_ms),
    }));
  }

  async ping(): Promise<void> {
    await this.client.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#commit.drain();
    await this.onClose();
  }
}

/** Which rows of the batch this INSERT created, given the ids it inserted (null: all of them). */
function inserted(batch: StoredOrder[], ids: string[] | null): boolean[] {
  if (ids === null) return new Array<boolean>(batch.length).fill(true);
  const fresh = new Set(ids);
  // The same id twice in one batch (racing retries): only the first is the inserted one.
  return batch.map((o) => fresh.delete(o.id));
}
