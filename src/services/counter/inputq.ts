import { asCounterError, CounterError } from './errors.js';
import type { CounterStore, Incrementer, StopReport } from './ports.js';
import { addChecked, checkValue } from './total.js';

interface Item {
  delta: bigint;
  resolve: (total: bigint) => void;
  reject: (err: CounterError) => void;
}

export interface InputQueueOptions {
  /** Most increments waiting in the queue; past it, OVERLOADED. */
  capacity: number;
  /** Most increments the owner takes in one batch (one store round trip). */
  batchMax: number;
  /** Told the size of every batch the owner applies (for a metric); must not throw. */
  onBatch?: (size: number) => void;
}

/**
 * mode `inputq`: the seed's input queue. Callers enqueue `{value, reply}` and await the reply; a
 * single owner loop is the only code that touches the store, so no lock is needed. The owner takes
 * everything queued (up to `batchMax`) as one batch:
 * - with a store that offers `addEach` (Redis), one round trip for the whole batch, each caller's
 *   total coming back from the store;
 * - otherwise one read, the I/O wait, and one write of the batch's sum, each caller's total
 *   computed from the read: exact, because nobody else writes while the owner works.
 * Under load many callers share a round trip; that is the pattern's advantage over the mutex.
 */
export class InputQueueIncrementer implements Incrementer {
  readonly mode = 'inputq' as const;
  private queue: Item[] = [];
  private inBatch = 0;
  private wake: (() => void) | undefined;
  private stopping = false;
  private answeredSinceStop = 0;
  private readonly owner: Promise<void>;
  private stopped: Promise<StopReport> | undefined;

  constructor(
    private readonly store: CounterStore,
    private readonly opts: InputQueueOptions,
  ) {
    this.owner = this.run();
  }

  increment(value: number): Promise<bigint> {
    let delta: bigint;
    try {
      delta = checkValue(value);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.stopping) return Promise.reject(new CounterError('STOPPING'));
    if (this.queue.length >= this.opts.capacity) {
      return Promise.reject(new CounterError('OVERLOADED', `queue holds ${this.opts.capacity}`));
    }
    return new Promise<bigint>((resolve, reject) => {
      this.queue.push({ delta, resolve, reject });
      const wake = this.wake;
      if (wake !== undefined) {
        this.wake = undefined;
        wake();
      }
    });
  }

  pending(): number {
    return this.queue.length + this.inBatch;
  }

  /** The owner: one batch at a time, forever, until stopped and empty. Never rejects. */
  private async run(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        if (this.stopping) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      const batch =
        this.queue.length <= this.opts.batchMax ? this.queue : this.queue.slice(0, this.opts.batchMax);
      this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
      this.inBatch = batch.length;
      this.opts.onBatch?.(batch.length);
      await this.apply(batch);
      this.inBatch = 0;
    }
  }

  /** Applies one batch and answers each caller in it. Never rejects. */
  private async apply(batch: Item[]): Promise<void> {
    let outcomes: Array<bigint | CounterError>;
    try {
      outcomes =
        this.store.addEach !== undefined
          ? await this.store.addEach(batch.map((i) => i.delta))
          : await this.readThenWrite(batch);
    } catch (err) {
      const e = asCounterError(err);
      outcomes = batch.map(() => e);
    }
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      const outcome =
        outcomes[i] ?? new CounterError('STORE_FAILED', 'the store answered fewer results than asked');
      if (typeof outcome === 'bigint') item.resolve(outcome);
      else item.reject(outcome);
    }
    if (this.stopping) this.answeredSinceStop += batch.length;
  }

  /** One read, one write of the new total; an increment that would overflow is skipped alone. */
  private async readThenWrite(batch: Item[]): Promise<Array<bigint | CounterError>> {
    let total = await this.store.read();
    const start = total;
    const outcomes = batch.map((item): bigint | CounterError => {
      try {
        total = addChecked(total, item.delta);
        return total;
      } catch (err) {
        return asCounterError(err);
      }
    });
    if (total !== start) await this.store.write(total);
    return outcomes;
  }

  stop(deadlineMs: number): Promise<StopReport> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.wake?.();
      this.wake = undefined;
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        this.owner.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs));
        }),
      ]);
      clearTimeout(timer);
      let dropped = 0;
      if (!inTime) {
        // Queued increments never reached the store: refuse them, and count them. The batch under
        // way finishes its round trip (bounded by the store's timeout).
        const rest = this.queue;
        this.queue = [];
        dropped = rest.length;
        for (const item of rest) item.reject(new CounterError('DROPPED'));
        await this.owner;
      }
      return { drained: this.answeredSinceStop, dropped };
    })();
    return this.stopped;
  }
}
