import { E_CANCELED, Mutex } from 'async-mutex';
import { CounterError } from './errors.js';
import { GatedIncrementer } from './gated.js';
import { addChecked } from './total.js';

/**
 * mode `mutex`: an async mutex (async-mutex) around the read-modify-write. The lock is held
 * across the store round trips, so increments run one at a time: exact, and as slow as one
 * read plus one write per increment. Waiters queue in the mutex, bounded by `capacity`; at the
 * stop deadline those still waiting are DROPPED (the holder finishes its round trip).
 */
export class MutexIncrementer extends GatedIncrementer {
  readonly mode = 'mutex' as const;
  private readonly mutex = new Mutex();

  protected async apply(delta: bigint): Promise<bigint> {
    try {
      return await this.mutex.runExclusive(async () => {
        const total = addChecked(await this.store.read(), delta);
        await this.store.write(total);
        return total;
      });
    } catch (err) {
      // async-mutex rejects its waiters with E_CANCELED when refuseWaiting() cancels them.
      if (err === E_CANCELED) {
        this.dropped++;
        throw new CounterError('DROPPED');
      }
      throw err;
    }
  }

  protected override refuseWaiting(): void {
    this.mutex.cancel();
  }
}
