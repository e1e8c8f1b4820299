import { randomUUID } from 'node:crypto';

/**
 * What a checkout or a purchase came to. Each result is also the `error` text of its answer and
 * the `result` label of its counter, so the names are the API's.
 */

/** Every result of POST /checkout. All but `unavailable` are recorded in the checkouts table. */
export const CHECKOUT_RESULTS = [
  'reserved',
  'invalid_params',
  'item_not_found',
  'item_unavailable',
  'user_limit_reached',
  'sold_out',
  'unavailable',
] as const;
export type CheckoutResult = (typeof CHECKOUT_RESULTS)[number];

/** The results a checkout row can hold: `unavailable` means nothing was decided or recorded. */
export type RecordedCheckoutResult = Exclude<CheckoutResult, 'unavailable'>;

export type CheckoutOutcome =
  | {
      readonly result: 'reserved';
      readonly code: string;
      readonly item: number;
      /** Epoch ms: the earlier of the checkout TTL and the sale's end. */
      readonly expiresAt: number;
    }
  | { readonly result: Exclude<CheckoutResult, 'reserved'> };

/** Every result of POST /purchase. */
export const PURCHASE_RESULTS = [
  'purchased',
  'invalid_params',
  'code_not_found',
  'code_expired',
  'code_used',
  'item_sold',
  'user_limit_reached',
  'unavailable',
] as const;
export type PurchaseResult = (typeof PURCHASE_RESULTS)[number];

export type PurchaseOutcome =
  | { readonly result: 'purchased'; readonly item: number; readonly user: string }
  | { readonly result: Exclude<PurchaseResult, 'purchased'> };

/** What GET /sale shows: the current sale and its live counts. */
export interface SaleView {
  readonly id: number;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly items: number;
  readonly userLimit: number;
  readonly sold: number;
  /** Reservations not yet expired nor purchased. */
  readonly reserved: number;
}

/**
 * A fresh code, which is also the id of its checkout row: 32 hex digits, 122 of their bits random
 * (a v4 UUID without its dashes), so a code cannot be guessed. Node draws UUIDs from a cached
 * entropy pool: about 0.1 µs each.
 */
export function newCode(): string {
  return randomUUID().replaceAll('-', '');
}
