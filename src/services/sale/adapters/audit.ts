import { quoteIdent, type SqlClient } from '../../../platform/postgres/mod.js';

/** Each invariant of a sale as a named boolean, read from the ledger alone. */
export interface SaleInvariants {
  /** Every item of the sale is sold: exactly `items` purchases (the sale sold out, no more). */
  readonly soldEqualsItems: boolean;
  /** No more purchases than items, and each of an item numbered 1..items. */
  readonly noOversell: boolean;
  readonly noItemSoldTwice: boolean;
  readonly noUserOverLimit: boolean;
  /** No code bought twice. */
  readonly codesSingleUse: boolean;
  /** Each purchase used a code a checkout issued to the same user for the same item, before it expired. */
  readonly purchasesMatchCheckouts: boolean;
  /** Checkout rows = checkout answers counted by the caller (present only when it gave that count). */
  readonly checkoutsPersisted?: boolean;
}

/** One sale's audit: its invariants and the counts behind them. */
export interface SaleAudit {
  readonly saleId: number;
  readonly items: number;
  readonly userLimit: number;
  /** Purchases recorded. */
  readonly sold: number;
  /** Distinct users with a purchase. */
  readonly buyers: number;
  /** The most purchases of one user. */
  readonly maxPerUser: number;
  /** Checkout attempts recorded, and by result. */
  readonly checkouts: number;
  readonly checkoutsByResult: Readonly<Record<string, number>>;
  readonly invariants: SaleInvariants;
}

export interface AuditOptions {
  /** The sale to audit (its id, the start in epoch seconds); default the latest. */
  readonly saleId?: number;
  /** Checkout requests answered (200, 400, 404, 409, 429), as the caller counted them. */
  readonly answeredCheckouts?: number;
}

interface Counts {
  sold: number;
  items_sold: number;
  codes: number;
  buyers: number;
  outside: number;
  max_per_user: number;
  unmatched: number;
}

/**
 * Audits one sale of the ledger in `schema`: counts what the invariants rest on, straight from the
 * tables (not from the constraints that should make them hold, so a missing constraint shows).
 * Resolves undefined when there is no such sale. Rejects with the database's error.
 */
export async function auditSaleIn(
  client: SqlClient,
  schema: string,
  opts: AuditOptions = {},
): Promise<SaleAudit | undefined> {
  const s = quoteIdent(schema);
  const sale = await client.query<{ id: number; items: number; user_limit: number }>(
    `SELECT id::float8 AS id, items, user_limit FROM ${s}.sales
      WHERE id = coalesce($1::bigint, (SELECT max(id) FROM ${s}.sales))`,
    [opts.saleId ?? null],
  );
  const row = sale.rows[0];
  if (row === undefined) return undefined;
  const id = Number(row.id);
  const { rows } = await client.query<Counts>(
    `WITH p AS (SELECT * FROM ${s}.purchases WHERE sale_id = $1)
    SELECT
      (SELECT count(*) FROM p)::int AS sold,
      (SELECT count(DISTINCT item_id) FROM p)::int AS items_sold,
      (SELECT count(DISTINCT code) FROM p)::int AS codes,
      (SELECT count(DISTINCT user_id) FROM p)::int AS buyers,
      (SELECT count(*) FROM p WHERE item_id NOT BETWEEN 1 AND $2)::int AS outside,
      (SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM p GROUP BY user_id) u)::int AS max_per_user,
      (SELECT count(*) FROM p WHERE NOT EXISTS (
        SELECT 1 FROM ${s}.checkouts c
        WHERE c.id = p.code AND c.result = 'reserved' AND c.sale_id = p.sale_id AND c.item_id = p.item_id
          AND c.user_id = p.user_id AND p.purchased_at < c.expires_at))::int AS unmatched`,
    [id, row.items],
  );
  const c = rows[0] as Counts;
  const byResult = await client.query<{ result: string; n: number }>(
    `SELECT result, count(*)::int AS n FROM ${s}.checkouts WHERE sale_id = $1 GROUP BY result ORDER BY result`,
    [id],
  );
  const checkoutsByResult = Object.fromEntries(byResult.rows.map((r) => [r.result, r.n]));
  const checkouts = byResult.rows.reduce((sum, r) => sum + r.n, 0);
  return {
    saleId: id,
    items: row.items,
    userLimit: row.user_limit,
    sold: c.sold,
    buyers: c.buyers,
    maxPerUser: c.max_per_user,
    checkouts,
    checkoutsByResult,
    invariants: {
      soldEqualsItems: c.sold === row.items,
      noOversell: c.sold <= row.items && c.outside === 0,
      noItemSoldTwice: c.items_sold === c.sold,
      noUserOverLimit: c.max_per_user <= row.user_limit,
      codesSingleUse: c.codes === c.sold,
      purchasesMatchCheckouts: c.unmatched === 0,
      ...(opts.answeredCheckouts === undefined
        ? {}
        : { checkoutsPersisted: checkouts === opts.answeredCheckouts }),
    },
  };
}
