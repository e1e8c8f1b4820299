import { randomInt } from 'node:crypto';
import type { Answer, SaleClient } from './client.js';

interface Held {
  readonly user: string;
  readonly item: number;
}

/**
 * What the clients of a test saw, to hold against the service's own counts and the ledger:
 * every answer by status and error, each code issued and each code bought.
 */
export class Tally {
  /** Checkout answers the service records: every status but 503 (and transport errors). */
  answered = 0;
  /** Requests that got no answer (connection refused or reset, timeout). */
  unanswered = 0;
  readonly checkouts = new Map<string, number>();
  readonly purchases = new Map<string, number>();
  /** Every code a checkout answered with, and whose it is. */
  readonly issued = new Map<string, Held>();
  /** Every code a purchase answered 200 for. */
  readonly bought = new Map<string, Held>();

  noteCheckout(user: string, item: number, a: Answer): void {
    if (a.status !== 503) this.answered++;
    bump(this.checkouts, a);
    if (a.status === 200) this.issued.set(a.body.code as string, { user, item });
  }

  notePurchase(code: string, a: Answer): void {
    bump(this.purchases, a);
    if (a.status !== 200) return;
    if (this.bought.has(code)) throw new Error(`code ${code} was sold twice`);
    this.bought.set(code, { user: String(a.body.user_id), item: Number(a.body.item_id) });
  }

  /** How many answers were `key`: "200", or the status and error, e.g. "409 sold_out". */
  count(which: 'checkouts' | 'purchases', key: string): number {
    return this[which].get(key) ?? 0;
  }

  /** Items bought more than once, and users over `limit`, as the clients saw them. */
  oversold(limit: number): string[] {
    const problems: string[] = [];
    const items = new Set<number>();
    const perUser = new Map<string, number>();
    for (const { user, item } of this.bought.values()) {
      if (items.has(item)) problems.push(`item ${item} bought twice`);
      items.add(item);
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
    }
    for (const [user, n] of perUser) if (n > limit) problems.push(`user ${user} bought ${n} > ${limit}`);
    return problems;
  }
}

function bump(map: Map<string, number>, a: Answer): void {
  const key = a.status === 200 ? '200' : `${a.status} ${String(a.body.error ?? '')}`.trim();
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Buys `code`, as a client would: a 503 (nothing was done) or a lost answer is tried again, up to
 * `tries` times, 50 ms apart, unless `stop()`. Every answer is noted. Undefined when none came.
 */
export async function buy(
  client: SaleClient,
  tally: Tally,
  code: string,
  stop: () => boolean = () => false,
  tries = 20,
): Promise<Answer | undefined> {
  let last: Answer | undefined;
  for (let i = 0; i < tries && !stop(); i++) {
    try {
      last = await client.purchase(code);
      tally.notePurchase(code, last);
      if (last.status !== 503) return last;
    } catch {
      tally.unanswered++;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

export interface ShopperOptions {
  readonly user: string;
  /** Items are drawn from 1..items. */
  readonly items: number;
  /** Checkout attempts before giving up. */
  readonly attempts: number;
  /** Checked before each attempt: true stops the shopper. */
  readonly stop?: () => boolean;
  /** When it returns true for a reserved code, the code is kept in `kept` instead of bought. */
  readonly keep?: () => boolean;
  readonly kept?: Kept[];
  /** Waits this long (ms) after an item_unavailable: a nearly sold-out sale is not hammered. */
  readonly pauseMs?: number;
}

/** A code kept for later, with its expiry (epoch ms) as the checkout answered it. */
export interface Kept {
  readonly code: string;
  readonly expiresAt: number;
}

/**
 * A shopper: checks out random items and buys each one reserved, until the sale is sold out, the
 * user reaches the limit, `stop()`, or `attempts` run out; a 503 or a lost answer is retried as
 * a client would. Resolves with why it stopped.
 */
export async function shop(
  client: SaleClient,
  tally: Tally,
  o: ShopperOptions,
): Promise<'sold_out' | 'limit' | 'gave_up' | 'stopped'> {
  for (let i = 0; i < o.attempts; i++) {
    if (o.stop?.()) return 'stopped';
    const item = 1 + randomInt(o.items);
    let a: Answer;
    try {
      a = await client.checkout(o.user, item);
    } catch {
      tally.unanswered++;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    tally.noteCheckout(o.user, item, a);
    if (a.status === 200) {
      const code = a.body.code as string;
      if (o.keep?.()) o.kept?.push({ code, expiresAt: Date.parse(String(a.body.expires_at)) });
      else await buy(client, tally, code, o.stop);
    } else if (a.body.error === 'sold_out') {
      return 'sold_out';
    } else if (a.status === 429) {
      return 'limit';
    } else if (a.status === 503) {
      await new Promise((r) => setTimeout(r, 50));
    } else if (o.pauseMs !== undefined) {
      await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  }
  return 'gave_up';
}

export interface CrowdOptions extends Omit<ShopperOptions, 'user' | 'attempts'> {
  /** Shoppers at once. */
  readonly shoppers: number;
  /** Each shopper is a random user of 1..users, then another. */
  readonly users: number;
  /** Gives up after this long (ms). */
  readonly ms: number;
}

/** A crowd of shoppers (see shop) until the sale is sold out, `stop()`, or `ms` passed. */
export async function crowd(client: SaleClient, tally: Tally, o: CrowdOptions): Promise<void> {
  const deadline = Date.now() + o.ms;
  const one = async () => {
    while (!o.stop?.() && Date.now() < deadline) {
      const user = String(1 + randomInt(o.users));
      if ((await shop(client, tally, { ...o, user, attempts: 30 })) === 'sold_out') return;
    }
  };
  await Promise.all(Array.from({ length: o.shoppers }, one));
}
