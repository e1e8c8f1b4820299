import { AtomicIncrementer, UnsafeIncrementer } from './gated.js';
import { InputQueueIncrementer } from './inputq.js';
import { MutexIncrementer } from './mutex.js';
import type { CounterStore, Incrementer, Mode } from './ports.js';

export interface IncrementerOptions {
  /** Most increments waiting (inputq's queue; the lock's line in mutex; in flight otherwise). */
  capacity: number;
  /** inputq: most increments per batch (one store round trip). */
  batchMax: number;
  /** inputq: told each batch's size (for a metric); must not throw. */
  onBatch?: (size: number) => void;
}

/**
 * The mode, as a strategy over the store:
 * - `mutex`: lock, read, await, write, unlock (one increment at a time);
 * - `inputq`: one owner loop drains a bounded queue in batches;
 * - `atomic`: the store's atomic add, no coordination;
 * - `unsafe`: read, await, write with no coordination (lost updates: the demonstration).
 * The caller decides whether `unsafe` may run (the server refuses it without allowUnsafe).
 */
export function createIncrementer(mode: Mode, store: CounterStore, opts: IncrementerOptions): Incrementer {
  switch (mode) {
    case 'mutex':
      return new MutexIncrementer(store, opts);
    case 'inputq':
      return new InputQueueIncrementer(store, opts);
    case 'atomic':
      return new AtomicIncrementer(store, opts);
    case 'unsafe':
      return new UnsafeIncrementer(store, opts);
  }
}
