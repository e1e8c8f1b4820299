import type { Logger } from 'pino';
import { describeError } from '../../../shared/errors.js';
import type { SaleKeeper } from './keeper.js';
import {
  type CheckoutOutcome,
  type CheckoutResult,
  newCode,
  type PurchaseOutcome,
  type PurchaseResult,
  type SaleView,
} from './outcomes.js';
import { parseCheckout, parsePurchase, type Query } from './params.js';
import type {
  CheckoutRecord,
  Clock,
  CodeStatus,
  HotState,
  LedgerPurchaseResult,
  SaleLedger,
  SaleMeter,
  SaleTracer,
} from './ports.js';
import type { SaleTerms } from './terms.js';

export interface DeskOptions {
  readonly keeper: SaleKeeper;
  readonly hot: HotState;
  readonly ledger: SaleLedger;
  readonly meter: SaleMeter;
  readonly tracer: SaleTracer;
  readonly clock: Clock;
  /** How long a checkout reserves its item (ms); never past the sale's end. */
  readonly checkoutTtlMs: number;
  readonly logger: Logger;
}

type Failed<R extends string> = { readonly result: R };
const fail = <R extends string>(result: R): Failed<R> => ({ result });

const REDIS = { 'db.system': 'redis' } as const;
const POSTGRES = { 'db.system': 'postgresql' } as const;

/** What the ledger's refusal of a purchase the hot state allowed is answered with. */
const REFUSED: Record<Exclude<LedgerPurchaseResult, 'recorded'>, Exclude<PurchaseResult, 'purchased'>> = {
  item_sold: 'item_sold',
  code_used: 'code_used',
  limit: 'user_limit_reached',
  refused: 'unavailable',
};

/**
 * Checkout, purchase and the sale's view, without the transport. The hot state decides (atomic
 * steps), the ledger records (group-committed), and only then is the outcome returned, so every
 * answer but `unavailable` is committed before it is sent. The ledger's constraints have the last
 * word: when they refuse what the hot state allowed, the hot state is rebuilt from the ledger.
 * Methods never throw: a failing backend is the `unavailable` outcome, logged.
 */
export class SaleDesk {
  constructor(private readonly opts: DeskOptions) {}

  /** POST /checkout with the parsed query. */
  async checkout(query: Query): Promise<CheckoutOutcome> {
    const outcome = await this.#checkout(query);
    this.opts.meter.checkouts[outcome.result].inc();
    return outcome;
  }

  /** POST /purchase with the parsed query. */
  async purchase(query: Query): Promise<PurchaseOutcome> {
    const outcome = await this.#purchase(query);
    this.opts.meter.purchases[outcome.result].inc();
    return outcome;
  }

  /** GET /sale. Rejects when the ledger or the hot state cannot answer. */
  async view(): Promise<SaleView> {
    const { keeper, hot, clock } = this.opts;
    for (let round = 0; round < 2; round++) {
      const seen = keeper.generation;
      const at = clock.now();
      const sale = await keeper.current(at);
      const counts = await hot.counts(sale, at);
      if (counts !== 'missing') return { ...sale, ...counts };
      await keeper.rebuild(sale, seen);
    }
    throw new Error('the hot state is still missing after a rebuild');
  }

  async #checkout(query: Query): Promise<CheckoutOutcome> {
    const { keeper, hot, clock } = this.opts;
    const at = clock.now();
    const params = parseCheckout(query);
    let sale: SaleTerms;
    try {
      sale = await keeper.current(at);
    } catch (err) {
      return this.#unavailable('opening the sale', err);
    }
    if (!params.ok) return this.#record(noReservation(sale, at, null, null, 'invalid_params'));
    const { user, item } = params;
    const code = newCode();
    for (let round = 0; ; round++) {
      if (!(item >= 1 && item <= sale.items)) {
        return this.#record(noReservation(sale, at, user, null, 'item_not_found'));
      }
      const seen = keeper.generation;
      const expiresAt = Math.min(at + this.opts.checkoutTtlMs, sale.endsAt);
      const release = keeper.hold();
      let reserved: Awaited<ReturnType<HotState['reserve']>>;
      try {
        reserved = await this.opts.tracer.inSpan('sale reserve', REDIS, () =>
          hot.reserve(sale, { user, item, code, now: at, expiresAt }),
        );
      } catch (err) {
        release();
        return this.#unavailable('reserving', err);
      }
      if (reserved.kind === 'missing') {
        release();
        if (round === 1)
          return this.#unavailable('reserving', new Error('hot state missing after a rebuild'));
        try {
          await keeper.rebuild(sale, seen);
          sale = await keeper.current(clock.now());
        } catch (err) {
          return this.#unavailable('rebuilding the hot state', err);
        }
        continue;
      }
      if (reserved.kind !== 'reserved') {
        release();
        const result =
          reserved.kind === 'limit'
            ? 'user_limit_reached'
            : reserved.kind === 'sold_out'
              ? 'sold_out'
              : 'item_unavailable';
        return this.#record(noReservation(sale, at, user, item, result));
      }
      const fresh = reserved.code === code;
      const row: CheckoutRecord = {
        id: code,
        saleId: sale.id,
        user,
        item,
        result: 'reserved',
        code: reserved.code,
        expiresAt: reserved.expiresAt,
        at,
      };
      try {
        await this.opts.tracer.inSpan('sale record checkout', POSTGRES, () =>
          this.opts.ledger.recordCheckout(row),
        );
      } catch (err) {
        // Not recorded, so never announced: a fresh reservation is freed again.
        if (fresh) await hot.release(sale, code).catch(() => {});
        return this.#unavailable('recording a checkout', err);
      } finally {
        release();
      }
      return { result: 'reserved', code: reserved.code, item, expiresAt: reserved.expiresAt };
    }
  }

  /** Records an attempt that reserved nothing; `unavailable` when it cannot be committed. */
  async #record(row: CheckoutRecord): Promise<CheckoutOutcome> {
    try {
      await this.opts.tracer.inSpan('sale record checkout', POSTGRES, () =>
        this.opts.ledger.recordCheckout(row),
      );
    } catch (err) {
      return this.#unavailable('recording a checkout', err);
    }
    return fail(row.result as Exclude<CheckoutResult, 'reserved' | 'unavailable'>);
  }

  async #purchase(query: Query): Promise<PurchaseOutcome> {
    const params = parsePurchase(query);
    if (!params.ok) return fail(params.malformed ? 'code_not_found' : 'invalid_params');
    const at = this.opts.clock.now();
    let sale: SaleTerms;
    try {
      sale = await this.opts.keeper.current(at);
    } catch (err) {
      return this.#unavailable('opening the sale', err);
    }
    return this.#buy(sale, params.code, at, 0);
  }

  /** `round` counts rebuilds this purchase already asked for. */
  async #buy(sale: SaleTerms, code: string, at: number, round: number): Promise<PurchaseOutcome> {
    const { keeper, hot, ledger, tracer, logger } = this.opts;
    const seen = keeper.generation;
    const release = keeper.hold();
    let bought: Awaited<ReturnType<HotState['purchase']>>;
    try {
      bought = await tracer.inSpan('sale purchase', REDIS, () => hot.purchase(sale, code, at));
    } catch (err) {
      release();
      return this.#unavailable('purchasing', err);
    }
    if (bought.kind !== 'purchased') {
      release();
      if (bought.kind === 'used') return fail('code_used');
      if (bought.kind === 'expired') return fail('code_expired');
      if (round > 0) {
        if (bought.kind === 'missing')
          return this.#unavailable('purchasing', new Error('hot state missing after a rebuild'));
        // Live in the ledger, yet not in the rebuilt hot state: its item went to another code.
        logger.warn({ event: 'code-superseded', sale: sale.id }, 'a recorded reservation was not restored');
        return fail('code_expired');
      }
      try {
        if (bought.kind === 'unknown') {
          const settled = this.#settled(sale, await ledger.findCode(code), at);
          if (settled !== undefined) return settled;
        }
        // The hot state lost a live reservation (or the whole sale): rebuild, then ask once more.
        await keeper.rebuild(sale, seen);
        return await this.#buy(await keeper.current(this.opts.clock.now()), code, at, round + 1);
      } catch (err) {
        return this.#unavailable('rebuilding the hot state', err);
      }
    }
    const { item, user } = bought;
    let recorded: LedgerPurchaseResult;
    try {
      recorded = await tracer.inSpan('sale record purchase', POSTGRES, () =>
        ledger.recordPurchase({ saleId: sale.id, item, user, code, at }),
      );
    } catch (err) {
      // Not recorded: the reservation is live again, so the holder can retry.
      await hot.unpurchase(sale, code).catch(() => {});
      release();
      return this.#unavailable('recording a purchase', err);
    }
    release();
    if (recorded === 'recorded') return { result: 'purchased', item, user };
    // The ledger refused what the hot state allowed: the hot state is wrong. Rebuild it from the truth.
    logger.warn(
      { event: 'ledger-refused', sale: sale.id, item, refusal: recorded },
      `the ledger refused a purchase the hot state allowed (${recorded}); rebuilding the hot state`,
    );
    keeper.resync(sale).catch((err: unknown) => {
      logger.error({ event: 'rebuild-failed', err: describeError(err) }, 'rebuilding the hot state failed');
    });
    return fail(REFUSED[recorded]);
  }

  /**
   * The answer for a code the hot state does not know, from the ledger: none when the ledger holds
   * a live reservation for it (then the hot state lost it).
   */
  #settled(sale: SaleTerms, status: CodeStatus | undefined, at: number): PurchaseOutcome | undefined {
    if (status === undefined) return fail('code_not_found');
    if (status.purchased) return fail('code_used');
    if (status.saleId !== sale.id || status.expiresAt <= at) return fail('code_expired');
    return undefined;
  }

  #unavailable(doing: string, err: unknown): Failed<'unavailable'> {
    this.opts.logger.error({ event: 'backend-failed', doing, err: describeError(err) }, `${doing} failed`);
    return fail('unavailable');
  }
}

function noReservation(
  sale: SaleTerms,
  at: number,
  user: string | null,
  item: number | null,
  result: Exclude<CheckoutResult, 'reserved' | 'unavailable'>,
): CheckoutRecord {
  return { id: newCode(), saleId: sale.id, user, item, result, code: null, expiresAt: null, at };
}
