import type { CounterError } from './errors.js';

/**
 * Where the total lives. Totals are exact signed 64-bit integers (BigInt). Every method either
 * resolves or rejects within the store's own timeout: with CounterError OUT_OF_RANGE (an atomic
 * add would overflow; nothing changed) or STORE_FAILED (unreachable, timed out, or the key holds
 * something else; a write or add may or may not have been applied).
 */
export interface CounterStore {
  /** One line for the start-up log: which backend, and what it guarantees. */
  readonly description: string;
  /**
   * The current total (0 if never written). This is the asynchronous step of a read-modify-write:
   * other callers run while it is outstanding, which is what makes a lock or an owner necessary.
   */
  read(): Promise<bigint>;
  /** Replaces the total (a blind write: whatever another caller wrote in between is lost). */
  write(total: bigint): Promise<void>;
  /** The store's own atomic add; resolves to the total right after it. */
  add(delta: bigint): Promise<bigint>;
  /**
   * Optional: applies each delta atomically, in order, in ONE round trip, and gives the total
   * right after each (or its CounterError, e.g. OUT_OF_RANGE; the others still apply). A store
   * offers it only when it beats a read and a write per batch: Redis does (a pipeline of INCRBY);
   * the memory store does not, because its plain add would skip the simulated I/O wait and
   * compare nothing. Rejects as a whole (STORE_FAILED) if the round trip fails.
   */
  addEach?(deltas: readonly bigint[]): Promise<Array<bigint | CounterError>>;
}

/** The four ways to increment; see strategy.ts. */
export const MODES = ['mutex', 'inputq', 'atomic', 'unsafe'] as const;
export type Mode = (typeof MODES)[number];

/** What stopping an incrementer did with the increments it had accepted. */
export interface StopReport {
  /** Increments that were pending when the stop began and got their answer (success or error). */
  drained: number;
  /** Increments rejected with DROPPED because the deadline passed before they ran (never applied). */
  dropped: number;
}

/** One of the modes, over a store. */
export interface Incrementer {
  readonly mode: Mode;
  /**
   * Adds `value` (a non-negative integer) and resolves to the total right after this increment:
   * exact in mutex, inputq and atomic; in unsafe, what this caller wrote (lost updates included).
   * Rejects with a CounterError: NEGATIVE_VALUE / INVALID_VALUE (before anything happens),
   * OUT_OF_RANGE (nothing changed), OVERLOADED (shed at once, nothing changed), STOPPING,
   * DROPPED, or STORE_FAILED.
   */
  increment(value: number): Promise<bigint>;
  /** Increments accepted and not yet answered (queued, waiting for the lock, or running). */
  pending(): number;
  /**
   * Takes no new increments (STOPPING) and lets the accepted ones finish; those not started by
   * `deadlineMs` are rejected with DROPPED and counted. Waits for a store round trip already under
   * way (bounded by the store's timeout). Calling it again returns the same promise.
   */
  stop(deadlineMs: number): Promise<StopReport>;
}
