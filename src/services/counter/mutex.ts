import { E_CANCELED, Mutex } from 'async-mutex';
import { asCounterError, CounterError } from './errors.js';
import { Gate } from './gate.js';
import type { CounterStore, Incrementer, StopReport } from './ports.js';
import { addChecked, checkValue } from './total.js';

/**
 * mode `mutex`: an async mutex (async-mutex) around the read-modify-write. The lock is held
 * across the store round trips, so increments run one at a time: exact, and as slow as one
 * read plus one write per increment. Waiters queue in the mutex, bounded by `capacity`.
 */
export class MutexIncrementer implements Incrementer {
  readonly mode = 'mutex' as const;
  private readonly mutex = new Mutex();
  private readonly gate: Gate;
  private dropped = 0;
  private stopping: Promise<StopReport> | undefined;

  constructor(
    private readonly store: CounterStore,
    opts: { capacity: number },
  ) {
    this.gate = new Gate(opts.capacity);
  }

  async increment(value: number): Promise<bigint> {
    const delta = checkValue(value);
    this.gate.enter();
    try {
      return await this.mutex.runExclusive(async () => {
        const total = addChecked(await this.store.read(), delta);
        await this.store.write(total);
        return total;
      });
    } catch (err) {
      // async-mutex rejects the waiters with E_CANCELED when stop() cancels them at the deadline.
      if (err === E_CANCELED) {
        this.dropped++;
        throw new CounterError('DROPPED');
      }
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
        // Waiters that never got the lock are dropped; the holder finishes its round trip,
        // which the store's timeout bounds.
        this.mutex.cancel();
        await this.gate.idle(Number.POSITIVE_INFINITY);
      }
      return { drained: this.gate.answeredSinceClose - this.dropped, dropped: this.dropped };
    })();
    return this.stopping;
  }
}
