import type { CounterPort, TracerPort } from '../../../platform/telemetry/ports.js';
import type { CheckoutResult, PurchaseResult, RecordedCheckoutResult } from './outcomes.js';
import type { CatalogItem, SaleTerms } from './terms.js';

/**
 * The sale's hot path (Redis, or an in-process store): the live state of a sale, changed only by
 * atomic steps. It is a cache of the ledger: everything in it can be rebuilt from a snapshot.
 * `missing` means the store holds no state for that sale (flushed, restarted, or dropped): the
 * caller rebuilds it from the ledger and asks again. Every method rejects when the store cannot
 * be reached in time.
 */
export interface HotState {
  /** Which store and what it guarantees, for the start-up log line. */
  readonly description: string;
  /**
   * Reserves `item` for `user` under `code` until `expiresAt`, in one atomic step. First frees
   * expired reservations. Then: `sold_out` when every item is sold; `unavailable` when the item is
   * sold or reserved by another user; the holder's own code when `user` already holds it (a
   * retried checkout); `limit` when the user's purchases plus live reservations reach the limit.
   */
  reserve(sale: SaleTerms, r: ReserveRequest): Promise<ReserveResult>;
  /**
   * Marks the item of a live reservation sold and its code used, in one atomic step: `unknown`
   * when the store never saw the code, `used` when it was purchased, `expired` when it expired
   * (which frees its item).
   */
  purchase(sale: SaleTerms, code: string, now: number): Promise<HotPurchaseResult>;
  /** Undoes purchase(): the reservation is live again. For a purchase the ledger did not record. */
  unpurchase(sale: SaleTerms, code: string): Promise<void>;
  /** Frees a fresh reservation whose checkout the ledger did not record. */
  release(sale: SaleTerms, code: string): Promise<void>;
  /**
   * Replaces the sale's whole state with `snapshot`, atomically; `at` (epoch ms) is now, so the
   * state can be kept for the rest of the sale plus a margin.
   */
  load(sale: SaleTerms, snapshot: SaleSnapshot, at: number): Promise<void>;
  /** Items sold and reservations live at `now`. */
  counts(sale: SaleTerms, now: number): Promise<HotCounts | 'missing'>;
  /** Forgets ended sales. */
  drop(saleIds: readonly number[]): Promise<void>;
}

export interface ReserveRequest {
  readonly user: string;
  readonly item: number;
  /** Used when a new reservation is made. */
  readonly code: string;
  readonly now: number;
  readonly expiresAt: number;
}

export type ReserveResult =
  | { readonly kind: 'reserved'; readonly code: string; readonly expiresAt: number }
  | { readonly kind: 'unavailable' | 'limit' | 'sold_out' | 'missing' };

export type HotPurchaseResult =
  | { readonly kind: 'purchased'; readonly item: number; readonly user: string }
  | { readonly kind: 'unknown' | 'used' | 'expired' | 'missing' };

export interface HotCounts {
  readonly sold: number;
  readonly reserved: number;
}

/** The truth about one sale, read from the ledger, to rebuild the hot state from. */
export interface SaleSnapshot {
  /** Every purchase of the sale. */
  readonly sold: ReadonlyArray<{ readonly item: number; readonly user: string }>;
  /** Live reservations: unexpired, unpurchased, of items not sold; at most one per item. */
  readonly reserved: ReadonlyArray<{
    readonly code: string;
    readonly item: number;
    readonly user: string;
    readonly expiresAt: number;
  }>;
}

/** One checkout attempt, as recorded. `user`/`item` are null when the input did not hold one. */
export interface CheckoutRecord {
  readonly id: string;
  readonly saleId: number;
  readonly user: string | null;
  readonly item: number | null;
  readonly result: RecordedCheckoutResult;
  /** Set exactly when result is `reserved`, as is expiresAt. */
  readonly code: string | null;
  readonly expiresAt: number | null;
  readonly at: number;
}

export interface PurchaseRecord {
  readonly saleId: number;
  readonly item: number;
  readonly user: string;
  readonly code: string;
  readonly at: number;
}

/**
 * What the ledger said to a purchase: `recorded`, or refused by a constraint because the hot
 * state was wrong: the item is sold (`item_sold`), the code was used (`code_used`), the user is
 * at the limit (`limit`), or another rule (`refused`).
 */
export type LedgerPurchaseResult = 'recorded' | 'item_sold' | 'code_used' | 'limit' | 'refused';

/** A reservation's code as the ledger has it. */
export interface CodeStatus {
  readonly saleId: number;
  readonly item: number;
  readonly user: string;
  readonly expiresAt: number;
  readonly purchased: boolean;
}

/**
 * The sale's source of truth (Postgres, or embedded PGlite). Writes resolve once committed; they
 * reject when the database fails or refuses the row for a reason the port does not name.
 */
export interface SaleLedger {
  /**
   * The sale running at `at`: the stored sale covering it, else `proposal` (clamped to start no
   * earlier than the last stored sale's end), stored with its catalogue.
   */
  openSale(
    at: number,
    proposal: SaleTerms,
    catalog: (saleId: number, n: number) => CatalogItem,
  ): Promise<SaleTerms>;
  /** Ids of stored sales that ended before `saleId` started (the newest few). */
  endedSales(saleId: number): Promise<number[]>;
  snapshot(sale: SaleTerms, at: number): Promise<SaleSnapshot>;
  /** Group-committed: resolves once the row is committed. */
  recordCheckout(row: CheckoutRecord): Promise<void>;
  /** Group-committed: resolves once the row is committed, or with the constraint that refused it. */
  recordPurchase(row: PurchaseRecord): Promise<LedgerPurchaseResult>;
  /** The reservation whose code is `code`, if one was recorded. */
  findCode(code: string): Promise<CodeStatus | undefined>;
}

/** What the sale counts (names and units are the adapter's: see adapters/metrics.ts). */
export interface SaleMeter {
  readonly checkouts: Readonly<Record<CheckoutResult, CounterPort>>;
  readonly purchases: Readonly<Record<PurchaseResult, CounterPort>>;
}

/** Wall-clock time in epoch ms; a port so a test can move it. */
export interface Clock {
  now(): number;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

export type { TracerPort as SaleTracer };
