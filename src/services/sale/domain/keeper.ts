import type { Logger } from 'pino';
import { describeError } from '../../../shared/errors.js';
import type { Clock, HotState, SaleLedger } from './ports.js';
import { alignedTerms, catalogItem, type SaleSettings, type SaleTerms } from './terms.js';

export interface KeeperOptions {
  readonly hot: HotState;
  readonly ledger: SaleLedger;
  readonly clock: Clock;
  /** What a sale opened from now on is made of. */
  readonly settings: SaleSettings;
  readonly logger: Logger;
  /**
   * How long a rebuild waits for this process's writes in flight (a reservation or purchase made
   * in the hot state, not yet committed to the ledger) before it reads the ledger (ms).
   */
  readonly quiesceMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Keeps the running sale: opens it (in the ledger, then the hot state) when the process starts
 * and at every boundary, and rebuilds the hot state from the ledger when it was lost. Opening and
 * rebuilding are single-flight: requests arriving meanwhile wait for the one in progress.
 *
 * A rebuild must not miss a write that the hot state already made and the ledger has not yet
 * committed, or the rebuilt state would hand that item out again. So each request `hold()`s from
 * before its hot-state step until its commit, and a rebuild first waits (bounded) until nothing is
 * held. Requests waiting on a rebuild hold nothing, so they cannot block it.
 */
export class SaleKeeper {
  #sale: SaleTerms | undefined;
  #opening: Promise<SaleTerms> | undefined;
  #rebuilding: Promise<void> | undefined;
  #generation = 0;
  #held = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly opts: KeeperOptions) {}

  /** Opens the sale running now, rebuilding its hot state from the ledger (a restart continues it). */
  start(): Promise<SaleTerms> {
    return this.#slow(this.opts.clock.now());
  }

  /**
   * The sale running at `at` (epoch ms). Synchronous on the hot path; a promise while a sale opens
   * or the hot state is rebuilt. Rejects when the ledger or the hot state fails meanwhile.
   */
  current(at: number): SaleTerms | Promise<SaleTerms> {
    const sale = this.#sale;
    if (this.#rebuilding === undefined && sale !== undefined && at < sale.endsAt) return sale;
    return this.#slow(at);
  }

  /** Counts rebuilds: a caller that saw `missing` passes the generation it saw to rebuild(). */
  get generation(): number {
    return this.#generation;
  }

  /** Marks one write in flight between the hot state and the ledger; call the result when it is done. */
  hold(): () => void {
    this.#held++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#held--;
    };
  }

  /**
   * Rebuilds the hot state of `sale` from the ledger, unless it was rebuilt since the caller saw
   * `seen`, or the sale is no longer the running one (its codes are answered from the ledger).
   */
  rebuild(sale: SaleTerms, seen: number): Promise<void> {
    if (this.#sale?.id !== sale.id || this.#generation !== seen) return this.#rebuilding ?? Promise.resolve();
    this.#rebuilding ??= this.#rebuild(sale).finally(() => {
      this.#rebuilding = undefined;
    });
    return this.#rebuilding;
  }

  /**
   * Rebuilds `sale` once more after any rebuild in flight: for a change the ledger made known after
   * that one may have read it (a purchase the ledger refused).
   */
  resync(sale: SaleTerms): Promise<void> {
    const previous = this.#rebuilding ?? Promise.resolve();
    return previous.catch(() => {}).then(() => this.rebuild(sale, this.#generation));
  }

  /** Stops the boundary timer. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #slow(at: number): Promise<SaleTerms> {
    // Two rounds cover a rebuild, then a boundary passing while it ran.
    for (let round = 0; round < 3; round++) {
      if (this.#rebuilding !== undefined) await this.#rebuilding;
      const sale = this.#sale;
      if (sale !== undefined && at < sale.endsAt) return sale;
      this.#opening ??= this.#open(at).finally(() => {
        this.#opening = undefined;
      });
      await this.#opening;
    }
    throw new Error(`no sale covers ${new Date(at).toISOString()}`);
  }

  async #open(at: number): Promise<SaleTerms> {
    const { ledger, settings, logger } = this.opts;
    const sale = await ledger.openSale(at, alignedTerms(at, settings), catalogItem);
    const loaded = await this.#load(sale, at);
    this.#sale = sale;
    this.#generation++;
    this.#arm();
    logger.info(
      {
        event: 'sale-open',
        sale: sale.id,
        start: new Date(sale.startsAt).toISOString(),
        end: new Date(sale.endsAt).toISOString(),
        items: sale.items,
        user_limit: sale.userLimit,
        ...loaded,
      },
      `sale ${sale.id} open: ${sale.items} items, ${loaded.sold} sold, ${loaded.reserved} reserved`,
    );
    if (sale.items !== settings.items || sale.userLimit !== settings.userLimit) {
      logger.warn(
        { event: 'sale-terms-kept', sale: sale.id },
        'this sale keeps the items and user limit it started with; the new settings apply from the next sale',
      );
    }
    void this.#dropEnded(sale.id);
    return sale;
  }

  async #rebuild(sale: SaleTerms): Promise<void> {
    const { logger, quiesceMs = 2000 } = this.opts;
    const deadline = performance.now() + quiesceMs;
    while (this.#held > 0 && performance.now() < deadline) await sleep(2);
    if (this.#held > 0) {
      logger.warn({ event: 'rebuild-unquiet', held: this.#held }, 'rebuilding with writes still in flight');
    }
    const loaded = await this.#load(sale, this.opts.clock.now());
    this.#generation++;
    logger.warn(
      { event: 'rebuilt', sale: sale.id, ...loaded },
      `hot state of sale ${sale.id} rebuilt from the ledger: ${loaded.sold} sold, ${loaded.reserved} reserved`,
    );
  }

  async #load(sale: SaleTerms, at: number): Promise<{ sold: number; reserved: number }> {
    const snapshot = await this.opts.ledger.snapshot(sale, at);
    await this.opts.hot.load(sale, snapshot, at);
    return { sold: snapshot.sold.length, reserved: snapshot.reserved.length };
  }

  /** Ended sales' hot state is forgotten; their codes are then answered from the ledger. */
  async #dropEnded(saleId: number): Promise<void> {
    try {
      await this.opts.hot.drop(await this.opts.ledger.endedSales(saleId));
    } catch (err) {
      this.opts.logger.warn({ event: 'drop-failed', err: describeError(err) }, 'could not drop ended sales');
    }
  }

  /** Opens the next sale at the boundary, so the first request of a sale does not pay for it. */
  #arm(): void {
    clearTimeout(this.#timer);
    const sale = this.#sale;
    if (this.#closed || sale === undefined) return;
    const wait = Math.min(Math.max(0, sale.endsAt - this.opts.clock.now()), MAX_TIMER_MS);
    this.#timer = setTimeout(() => {
      Promise.resolve(this.current(this.opts.clock.now())).then(
        () => this.#arm(),
        (err: unknown) => {
          this.opts.logger.error(
            { event: 'sale-open-failed', err: describeError(err) },
            'cannot open the sale',
          );
          if (!this.#closed) this.#timer = setTimeout(() => this.#arm(), 1000).unref();
        },
      );
    }, wait);
    // The HTTP server keeps the process alive; this timer alone must not.
    this.#timer.unref();
  }
}
