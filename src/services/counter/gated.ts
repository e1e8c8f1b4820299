import { asCounterError } from './errors.js';
import { Gate } from './gate.js';
import type { CounterStore, Incrementer, Mode, StopReport } from './ports.js';
import { addChecked, checkValue } from './total.js';

/**
 * What the modes without an owner loop share (mutex, atomic, unsafe): admission through a Gate,
 * and a stop that waits for the increments under way.
 */
export abstract class GatedIncrementer implements Incrementer {
  abstract readonly mode: Mode;
  private readonly gate: Gate;
  /** Increments refused with DROPPED by refuseWaiting(). */
  protected dropped = 0;
  private stopping: Promise<StopReport> | undefined;

  constructor(
    protected readonly store: CounterStore,
    opts: { capacity: number },
  ) {
    this.gate = new Gate(opts.capacity);
  }

  /** The increment itself; resolves to the total right after it. */
  protected abstract apply(delta: bigint): Promise<bigint>;

  /**
   * Called once if the stop deadline passes with increments pending: refuse (DROPPED, counted in
   * `dropped`) those that have not reached the store. By default there are none: every pending
   * increment is already in a store round trip, which the store's timeout bounds.
   */
  protected refuseWaiting(): void {}

  async increment(value: number): Promise<bigint> {
    const delta = checkValue(value);
    this.gate.enter();
    try {
      return await this.apply(delta);
    } catch (err) {
      throw asCounterError(err);
    } finally {
      this.gate.leave();
    }
  }

  pending(): number {
    return this.gate.pending;
  }

  stop(deadlineMs: number): Promise<StopReport> {
    this.stopping ??= (async () => {
      this.gate.close();
      if (!(await this.gate.idle(deadlineMs))) {
        this.refuseWaiting();
        await this.gate.idle(Number.POSITIVE_INFINITY);
      }
      return { drained: this.gate.answeredSinceClose - this.dropped, dropped: this.dropped };
    })();
    return this.stopping;
  }
}

/**
 * mode `atomic`: the store's own atomic add (Redis INCRBY; a plain `+=` in memory, which skips the
 * simulated I/O). No lock, no queue: the baseline the other modes are measured against.
 */
export class AtomicIncrementer extends GatedIncrementer {
  readonly mode = 'atomic' as const;
  protected apply(delta: bigint): Promise<bigint> {
    return this.store.add(delta);
  }
}

/**
 * mode `unsafe`: read, await, write with no protection. Concurrent increments read the same total
 * and overwrite each other: lost updates are the point of this mode (it shows what the others
 * prevent). The reply is the total this caller wrote, which another caller may have written too.
 */
export class UnsafeIncrementer extends GatedIncrementer {
  readonly mode = 'unsafe' as const;
  protected async apply(delta: bigint): Promise<bigint> {
    const total = addChecked(await this.store.read(), delta);
    await this.store.write(total);
    return total;
  }
}
