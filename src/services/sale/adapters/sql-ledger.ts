import type { Lifecycle } from '../../../platform/lifecycle/lifecycle.js';
import {
  type BatchColumn,
  BatchWriter,
  columnLiterals,
  DataRejected,
  type ItemResults,
  quoteIdent,
  type SqlClient,
  splitOnDataError,
} from '../../../platform/postgres/mod.js';
import type {
  CheckoutRecord,
  CodeStatus,
  LedgerPurchaseResult,
  PurchaseRecord,
  SaleLedger,
  SaleSnapshot,
} from '../domain/ports.js';
import type { CatalogItem, SaleTerms } from '../domain/terms.js';

/** The checkout insert's unnest columns, in its parameter order. */
const CHECKOUT_COLUMNS: ReadonlyArray<BatchColumn<CheckoutRecord>> = [
  { text: (r) => r.id },
  { number: (r) => r.saleId },
  { text: (r) => r.user },
  { number: (r) => r.item },
  { text: (r) => r.result },
  { text: (r) => r.code },
  { number: (r) => r.expiresAt },
  { number: (r) => r.at },
];

/** The purchase insert's unnest columns, in its parameter order. */
const PURCHASE_COLUMNS: ReadonlyArray<BatchColumn<PurchaseRecord>> = [
  { number: (r) => r.saleId },
  { number: (r) => r.item },
  { text: (r) => r.user },
  { text: (r) => r.code },
  { number: (r) => r.at },
];

/** Rows per INSERT: the statement takes one array per column, whatever the batch size. */
const MAX_BATCH = 2000;
/** Catalogue rows per INSERT when a sale opens. */
const ITEM_CHUNK = 5000;

/** epoch ms <-> timestamptz, exact to the millisecond. */
const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;
const ts = (param: string) => `to_timestamp(${param} / 1000.0)`;

/** Which constraint refused a purchase, as the domain names the refusal. */
const REFUSALS: Record<string, LedgerPurchaseResult> = {
  purchases_one_per_item: 'item_sold',
  purchases_code_once: 'code_used',
  sale_users_within_limit: 'limit',
};

function refusalOf(err: DataRejected): LedgerPurchaseResult {
  const constraint = (err.cause as { constraint?: unknown } | undefined)?.constraint;
  return (typeof constraint === 'string' && REFUSALS[constraint]) || 'refused';
}

interface SaleRow {
  id: string | number;
  starts_ms: number;
  ends_ms: number;
  items: number;
  user_limit: number;
}

/**
 * The sale's ledger in Postgres (or PGlite): the truth the hot state is rebuilt from. Checkouts
 * and purchases are group-committed: the rows that arrive while a batch is being written form the
 * next batch, one multi-row INSERT each, and each caller resolves once its batch has committed.
 * A batch refused for its data is split until only the refused rows fail; a refused purchase
 * resolves with the constraint that refused it.
 */
export class SqlLedger implements SaleLedger {
  readonly #checkouts: BatchWriter<CheckoutRecord, true>;
  readonly #purchases: BatchWriter<PurchaseRecord, LedgerPurchaseResult>;
  readonly #sql: ReturnType<typeof statements>;

  /** `writeConcurrency`: the pool's write budget; purchase batches may use half of it at once. */
  constructor(
    private readonly client: SqlClient,
    schema: string,
    writeConcurrency: number,
  ) {
    this.#sql = statements(quoteIdent(schema));
    const checkouts = splitOnDataError((rows: CheckoutRecord[]) => this.#insertCheckouts(rows));
    const purchases = splitOnDataError((rows: PurchaseRecord[]) => this.#insertPurchases(rows));
    // One checkout flush at a time: every flush is a commit (a WAL flush and two wake-ups across
    // processes), so the rows that arrive while one commits wait for it and go in the next, bigger
    // one. Measured at 3000 checkouts/s: 3.7 rows per commit and 76 µs of Postgres CPU per
    // checkout, against 2.1 rows and 130 µs with four flushes in flight.
    this.#checkouts = new BatchWriter(checkouts, 1, MAX_BATCH, {
      spanName: 'checkouts insert',
    });
    const refusals = (rows: PurchaseRecord[]) =>
      purchases(rows).then((results) => results.map((r) => (r instanceof DataRejected ? refusalOf(r) : r)));
    this.#purchases = new BatchWriter(refusals, Math.max(1, writeConcurrency >> 1), MAX_BATCH, {
      spanName: 'purchases insert',
    });
  }

  /**
   * Registers the writers' drains (after the database they write to, so they stop before it): at
   * the drain deadline, the rows still waiting are dropped and counted, their requests unanswered.
   */
  register(lifecycle: Lifecycle): this {
    for (const [name, writer] of [
      ['checkout writer', this.#checkouts],
      ['purchase writer', this.#purchases],
    ] as const) {
      lifecycle.add({ name, unit: 'rows', drain: (signal: AbortSignal) => writer.drain(signal) });
    }
    return this;
  }

  async openSale(
    at: number,
    proposal: SaleTerms,
    catalog: (saleId: number, n: number) => CatalogItem,
  ): Promise<SaleTerms> {
    let sale = await this.#covering(at);
    if (sale === undefined) {
      const p = proposal;
      await this.client.query(this.#sql.insertSale, [at, p.startsAt, p.endsAt, p.items, p.userLimit]);
      sale = await this.#covering(at);
    }
    if (sale === undefined)
      throw new Error(`no sale can start at ${new Date(at).toISOString()}: it would overlap a stored one`);
    const { rows } = await this.client.query<{ n: number }>(this.#sql.countItems, [sale.id]);
    // In chunks, each bounded by the statement timeout; a chunk already there is skipped (ON
    // CONFLICT), so a start cut short is completed by the next.
    if (Number(rows[0]?.n) < sale.items) {
      for (let first = 1; first <= sale.items; first += ITEM_CHUNK) {
        const last = Math.min(sale.items, first + ITEM_CHUNK - 1);
        const names: string[] = [];
        const images: string[] = [];
        for (let n = first; n <= last; n++) {
          const item = catalog(sale.id, n);
          names.push(item.name);
          images.push(item.imageUrl);
        }
        await this.client.query(this.#sql.insertItems, [sale.id, sale.items, first, names, images]);
      }
    }
    return sale;
  }

  async #covering(at: number): Promise<SaleTerms | undefined> {
    const { rows } = await this.client.query<SaleRow>(this.#sql.covering, [at]);
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      id: Number(r.id),
      startsAt: Math.round(r.starts_ms),
      endsAt: Math.round(r.ends_ms),
      items: r.items,
      userLimit: r.user_limit,
    };
  }

  async endedSales(saleId: number): Promise<number[]> {
    const { rows } = await this.client.query<{ id: string | number }>(this.#sql.ended, [saleId]);
    return rows.map((r) => Number(r.id));
  }

  async snapshot(sale: SaleTerms, at: number): Promise<SaleSnapshot> {
    const sold = await this.client.query<{ item_id: number; user_id: string }>(this.#sql.sold, [sale.id]);
    const live = await this.client.query<{
      id: string;
      item_id: number;
      user_id: string;
      expires_ms: number;
    }>(this.#sql.live, [sale.id, at]);
    return {
      sold: sold.rows.map((r) => ({ item: r.item_id, user: r.user_id })),
      reserved: live.rows.map((r) => ({
        code: r.id,
        item: r.item_id,
        user: r.user_id,
        expiresAt: Math.round(r.expires_ms),
      })),
    };
  }

  async recordCheckout(row: CheckoutRecord): Promise<void> {
    await this.#checkouts.add(row);
  }

  recordPurchase(row: PurchaseRecord): Promise<LedgerPurchaseResult> {
    return this.#purchases.add(row);
  }

  async findCode(code: string): Promise<CodeStatus | undefined> {
    const { rows } = await this.client.query<{
      sale_id: number;
      item_id: number;
      user_id: string;
      expires_ms: number;
      purchased: boolean;
    }>(this.#sql.findCode, [code]);
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      saleId: Number(r.sale_id),
      item: r.item_id,
      user: r.user_id,
      expiresAt: Math.round(r.expires_ms),
      purchased: r.purchased,
    };
  }

  async #insertCheckouts(rows: CheckoutRecord[]): Promise<ItemResults<true>> {
    await this.client.query(this.#sql.insertCheckouts, columnLiterals(rows, CHECKOUT_COLUMNS));
    return new Array<true>(rows.length).fill(true);
  }

  async #insertPurchases(rows: PurchaseRecord[]): Promise<ItemResults<LedgerPurchaseResult>> {
    await this.client.query(this.#sql.insertPurchases, columnLiterals(rows, PURCHASE_COLUMNS));
    return new Array<LedgerPurchaseResult>(rows.length).fill('recorded');
  }
}

/** The statements, for one (quoted) schema. Times travel as epoch ms (float8). */
function statements(s: string) {
  const saleCols = `id, ${ms('starts_at')} AS starts_ms, ${ms('ends_at')} AS ends_ms, items, user_limit`;
  return {
    covering: `SELECT ${saleCols} FROM ${s}.sales
      WHERE starts_at <= ${ts('$1')} AND ends_at > ${ts('$1')}`,
    // The aligned start, unless the last sale (started with other settings) ends later: sales never overlap.
    insertSale: `INSERT INTO ${s}.sales (id, starts_at, ends_at, items, user_limit)
      SELECT floor(extract(epoch FROM st))::bigint, st, ${ts('$3')}, $4, $5
      FROM (SELECT greatest(${ts('$2')}, coalesce(
        (SELECT max(ends_at) FROM ${s}.sales WHERE ends_at <= ${ts('$1')}), '-infinity'::timestamptz)) AS st) w
      ON CONFLICT DO NOTHING`,
    countItems: `SELECT count(*)::int AS n FROM ${s}.items WHERE sale_id = $1`,
    insertItems: `INSERT INTO ${s}.items (sale_id, item_id, stock, name, image_url)
      SELECT $1, $3 + t.n::int - 1, $2, t.name, t.url
      FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS t(name, url, n)
      ON CONFLICT DO NOTHING`,
    ended: `SELECT id FROM ${s}.sales
      WHERE ends_at <= (SELECT starts_at FROM ${s}.sales WHERE id = $1) ORDER BY id DESC LIMIT 3`,
    sold: `SELECT item_id, user_id::text AS user_id FROM ${s}.purchases WHERE sale_id = $1`,
    // Live reservations: a code's own row (id = code), unexpired, its item unsold. Two live for one
    // item means the hot state freed the first (a checkout that timed out and committed late): the
    // latest is the one the hot state handed out.
    live: `SELECT DISTINCT ON (c.item_id) c.id, c.item_id, c.user_id::text AS user_id, ${ms('c.expires_at')} AS expires_ms
      FROM ${s}.checkouts c
      WHERE c.sale_id = $1 AND c.result = 'reserved' AND c.id = c.code AND c.expires_at > ${ts('$2')}
        AND NOT EXISTS (SELECT 1 FROM ${s}.purchases p WHERE p.sale_id = c.sale_id AND p.item_id = c.item_id)
      ORDER BY c.item_id, c.attempted_at DESC, c.id`,
    findCode: `SELECT c.sale_id::float8 AS sale_id, c.item_id, c.user_id::text AS user_id,
        ${ms('c.expires_at')} AS expires_ms,
        EXISTS (SELECT 1 FROM ${s}.purchases p WHERE p.code = c.id) AS purchased
      FROM ${s}.checkouts c WHERE c.id = $1 AND c.result = 'reserved'`,
    insertCheckouts: `INSERT INTO ${s}.checkouts (id, sale_id, user_id, item_id, result, code, expires_at, attempted_at)
      SELECT id, sale, usr, item, res, code, ${ts('exp')}, ${ts('at')}
      FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::int[], $5::text[], $6::text[], $7::float8[], $8::float8[])
        AS t(id, sale, usr, item, res, code, exp, at)`,
    insertPurchases: `INSERT INTO ${s}.purchases (sale_id, item_id, user_id, code, purchased_at)
      SELECT sale, item, usr, code, ${ts('at')}
      FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::float8[]) AS t(sale, item, usr, code, at)`,
  };
}
