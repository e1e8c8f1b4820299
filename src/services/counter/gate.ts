import { CounterError } from './errors.js';

/**
 * Admission for the modes without a queue of their own (mutex, atomic, unsafe): counts the
 * increments in flight, sheds new ones past `capacity` (OVERLOADED) or once stopping (STOPPING),
 * and lets a stop wait until none is left. The waiting line of a lock is a queue too, and every
 * queue has a bound; this is its bound.
 */
export class Gate {
  private count = 0;
  private stopping = false;
  private answered = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  /** Admits one increment or throws CounterError STOPPING / OVERLOADED. */
  enter(): void {
    if (this.stopping) throw new CounterError('STOPPING');
    if (this.count >= this.capacity) throw new CounterError('OVERLOADED', `${this.capacity} in flight`);
    this.count++;
  }

  /** One admitted increment got its answer (success or error). */
  leave(): void {
    this.count--;
    if (this.stopping) this.answered++;
    if (this.count === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  get pending(): number {
    return this.count;
  }

  /** Answers given since close() (success or error, dropped included). */
  get answeredSinceClose(): number {
    return this.answered;
  }

  /** Admits nothing more. */
  close(): void {
    this.stopping = true;
  }

  /** Resolves true once nothing is in flight, or false when `ms` passes first (Infinity: no limit). */
  idle(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
      if (Number.isFinite(ms)) {
        timer = setTimeout(
          () => {
            this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
            resolve(false);
          },
          Math.max(0, ms),
        );
      }
    });
  }
}
