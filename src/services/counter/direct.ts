import { asCounterError } from './errors.js';
import { Gate } from './gate.js';
import type { CounterStore, Incrementer, StopReport } from './ports.js';
import { addChecked, checkValue } from './total.js';

/** What atomic and unsafe share: admission and a stop that waits for the calls under way. */
abstract class DirectIncrementer implements Incrementer {
  abstract readonly mode: 'atomic' | 'unsafe';
  private readonly gate: Gate;
  private stopping: Promise<StopReport> | undefined;

  constructor(
    protected readonly store: CounterStore,
    opts: { capacity: number },
  ) {
    this.gate = new Gate(opts.capacity);
  }

  protected abstract apply(delta: bigint): Promise<bigint>;

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
      // Every pending call is already in a store round trip (nothing waits in a line here), so
      // none can be dropped: past the deadline, the store's own timeout bounds the wait.
      if (!(await this.gate.idle(deadlineMs))) await this.gate.idle(Number.POSITIVE_INFINITY);
      return { drained: this.gate.answeredSinceClose, dropped: 0 };
    })();
    return this.stopping;
  }
}

/**
 * mode `atomic`: the store's own atomic add (Redis INCRBY; a plain `+=` in memory, which skips the
 * simulated I/O). No lock, no queue: the baseline the other modes are measured against.
 */
export class AtomicIncrementer extends DirectIncrementer {
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
export class UnsafeIncrementer extends DirectIncrementer {
  readonly mode = 'unsafe' as const;
  protected async apply(delta: bigint): Promise<bigint> {
    const total = addChecked(await this.store.read(), delta);
    await this.store.write(total);
    return total;
  }
}
