import type {
  HotCounts,
  HotPurchaseResult,
  HotState,
  ReserveRequest,
  ReserveResult,
  SaleSnapshot,
} from '../domain/ports.js';
import type { SaleTerms } from '../domain/terms.js';

/** A code's reservation: R reserved, P purchased, X expired or released (as in lua.ts). */
interface CodeRecord {
  state: 'R' | 'P' | 'X';
  readonly expiresAt: number;
  readonly item: number;
  readonly user: string;
}

const SOLD = '!';

/**
 * One sale's live state in this process: the same state machine as the Redis scripts in lua.ts,
 * step for step (hot-state.test.ts runs both through the same steps). Each method runs to
 * completion without awaiting, so on Node's one thread it is as atomic as a script in Redis.
 */
class SaleMemory {
  sold = 0;
  live = 0;
  readonly holder = new Map<number, string>();
  readonly codes = new Map<string, CodeRecord>();
  readonly taken = new Map<string, number>();
  /** Reservations by expiry, oldest first; entries whose code no longer holds the item are skipped. */
  #due: Array<{ item: number; code: string; expiresAt: number }> = [];
  #head = 0;

  constructor(
    readonly items: number,
    readonly limit: number,
  ) {}

  hold(item: number, code: string, rec: CodeRecord): void {
    this.holder.set(item, code);
    this.codes.set(code, rec);
    this.taken.set(rec.user, (this.taken.get(rec.user) ?? 0) + 1);
    this.live++;
    this.#enqueue({ item, code, expiresAt: rec.expiresAt });
  }

  /** Frees `item` if a reservation holds it (see free() in lua.ts). */
  free(item: number): void {
    const code = this.holder.get(item);
    if (code === undefined || code === SOLD) return;
    this.holder.delete(item);
    const rec = this.codes.get(code);
    if (rec?.state === 'R') {
      rec.state = 'X';
      this.taken.set(rec.user, (this.taken.get(rec.user) ?? 1) - 1);
      this.live--;
    }
  }

  /** Frees every reservation that expired at or before `now`. */
  sweep(now: number): void {
    const due = this.#due;
    while (this.#head < due.length && (due[this.#head] as { expiresAt: number }).expiresAt <= now) {
      const e = due[this.#head++] as { item: number; code: string };
      if (this.holder.get(e.item) === e.code) this.free(e.item);
    }
    if (this.#head > 1024 && this.#head * 2 > due.length) {
      this.#due = due.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Keeps #due sorted: appends in the common case (expiries grow with time), else inserts. */
  #enqueue(e: { item: number; code: string; expiresAt: number }): void {
    const due = this.#due;
    let lo = this.#head;
    let hi = due.length;
    if (hi === lo || (due[hi - 1] as { expiresAt: number }).expiresAt <= e.expiresAt) {
      due.push(e);
      return;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((due[mid] as { expiresAt: number }).expiresAt <= e.expiresAt) lo = mid + 1;
      else hi = mid;
    }
    due.splice(lo, 0, e);
  }
}

/**
 * The embedded hot state, used when no REDIS_URL is set. It lives and dies with the process (the
 * service rebuilds it from the database at start), and only one process can serve a sale with it.
 */
export class MemoryHotState implements HotState {
  readonly description =
    'in-process store: the live sale is held in this process and rebuilt from the database at start; one process per sale';
  readonly #sales = new Map<number, SaleMemory>();

  async reserve(sale: SaleTerms, r: ReserveRequest): Promise<ReserveResult> {
    const s = this.#sales.get(sale.id);
    if (s === undefined) return { kind: 'missing' };
    s.sweep(r.now);
    if (s.sold >= s.items) return { kind: 'sold_out' };
    const holder = s.holder.get(r.item);
    if (holder === SOLD) return { kind: 'unavailable' };
    if (holder !== undefined) {
      const rec = s.codes.get(holder);
      if (rec?.state === 'R' && rec.expiresAt > r.now) {
        return rec.user === r.user
          ? { kind: 'reserved', code: holder, expiresAt: rec.expiresAt }
          : { kind: 'unavailable' };
      }
      s.free(r.item);
    }
    if ((s.taken.get(r.user) ?? 0) >= s.limit) return { kind: 'limit' };
    s.hold(r.item, r.code, { state: 'R', expiresAt: r.expiresAt, item: r.item, user: r.user });
    return { kind: 'reserved', code: r.code, expiresAt: r.expiresAt };
  }

  async purchase(sale: SaleTerms, code: string, now: number): Promise<HotPurchaseResult> {
    const s = this.#sales.get(sale.id);
    if (s === undefined) return { kind: 'missing' };
    const rec = s.codes.get(code);
    if (rec === undefined) return { kind: 'unknown' };
    if (rec.state === 'P') return { kind: 'used' };
    if (rec.state !== 'R' || s.holder.get(rec.item) !== code) return { kind: 'expired' };
    if (rec.expiresAt <= now) {
      s.free(rec.item);
      return { kind: 'expired' };
    }
    s.holder.set(rec.item, SOLD);
    rec.state = 'P';
    s.live--;
    s.sold++;
    return { kind: 'purchased', item: rec.item, user: rec.user };
  }

  async unpurchase(sale: SaleTerms, code: string): Promise<void> {
    const s = this.#sales.get(sale.id);
    const rec = s?.codes.get(code);
    if (s === undefined || rec?.state !== 'P' || s.holder.get(rec.item) !== SOLD) return;
    s.sold--;
    // hold() counts the user again; the purchase had kept their count, so take one back.
    s.taken.set(rec.user, (s.taken.get(rec.user) ?? 1) - 1);
    s.hold(rec.item, code, { ...rec, state: 'R' });
  }

  async release(sale: SaleTerms, code: string): Promise<void> {
    const s = this.#sales.get(sale.id);
    const rec = s?.codes.get(code);
    if (s === undefined || rec?.state !== 'R' || s.holder.get(rec.item) !== code) return;
    s.free(rec.item);
  }

  async counts(sale: SaleTerms, now: number): Promise<HotCounts | 'missing'> {
    const s = this.#sales.get(sale.id);
    if (s === undefined) return 'missing';
    s.sweep(now);
    return { sold: s.sold, reserved: s.live };
  }

  async load(sale: SaleTerms, snapshot: SaleSnapshot): Promise<void> {
    const s = new SaleMemory(sale.items, sale.userLimit);
    for (const p of snapshot.sold) {
      s.holder.set(p.item, SOLD);
      s.taken.set(p.user, (s.taken.get(p.user) ?? 0) + 1);
      s.sold++;
    }
    for (const r of snapshot.reserved) {
      s.hold(r.item, r.code, { state: 'R', expiresAt: r.expiresAt, item: r.item, user: r.user });
    }
    this.#sales.set(sale.id, s);
  }

  async drop(saleIds: readonly number[]): Promise<void> {
    for (const id of saleIds) this.#sales.delete(id);
  }
}
