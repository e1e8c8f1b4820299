import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { describeError } from '../../shared/errors.js';
import type { ServiceRuntime } from '../runtime.js';
import { consumerSpan, continuedIn } from '../telemetry/spans.js';
import type { Delivery, WorkSource } from './types.js';

/**
 * Whose fault a failed attempt was. `fault`: the item's own (bad data, an injected fault), so the
 * attempt counts toward maxAttempts and the item may end in the dead-letter store. `outage`: the
 * backend's (a database down, a timeout), retried in place without limit and burning no attempt.
 */
export type FailureKind = 'fault' | 'outage';

export interface WorkerPoolOptions<T> {
  readonly source: WorkSource<T>;
  /** Processes one item; throws when the attempt failed. */
  readonly handle: (item: T, delivery: Delivery<T>) => Promise<void>;
  readonly classify: (err: unknown) => FailureKind;
  readonly logger: Logger;
  /** How many items are processed at once. */
  readonly workers: number;
  /** After this many failed attempts through the item's own fault, it is dead-lettered. */
  readonly maxAttempts: number;
  /** Backoff before the 2nd attempt (ms); doubles each time, capped at 10× itself. */
  readonly backoffMs: number;
  /**
   * How long one worker may hold one item, retrying in place through an outage, before it hands
   * the item back (ms; default 60 s): a stuck worker must not keep an item from the others forever.
   */
  readonly holdTimeoutMs?: number;
  /** An item was dead-lettered, or a message did not decode (the source dead-lettered it). */
  readonly onDeadLettered?: (reason: string) => void;
  /** Names an item in log lines. */
  readonly idOf?: (item: T) => string;
}

const RESTART_MS = 1000;
/** A backend outage is retried at least this far apart, even with backoffMs 0. */
const OUTAGE_MIN_MS = 100;
/** How often a draining pool looks whether the in-process queue is empty. */
const DRAIN_POLL_MS = 10;

/**
 * Drains a work source with `workers` concurrent slots. Two kinds of failure, told apart by
 * `classify`:
 *
 * - The item's own fault. The attempt is counted on the item (Delivery.fail) and it comes back
 *   after an exponential backoff; after maxAttempts it is dead-lettered (onDeadLettered).
 * - The backend's fault. The worker keeps the delivery and retries in place with the same
 *   backoff, burning none of the item's attempts, for up to holdTimeoutMs; then it hands the item
 *   back (Delivery.release), still without counting an attempt.
 *
 * Stopping (drain) hands back what a durable source can redeliver, and works off what an
 * in-process queue would otherwise lose, within the deadline.
 */
export class WorkerPool<T> {
  #running: Promise<void> | undefined;
  #stopping = false;
  /** Aborted when waiting out an outage must end: the pool is stopping. */
  readonly #stop = new AbortController();
  readonly #active = new Set<Promise<void>>();
  readonly #holdMs: number;
  readonly #undecodable = (reason: string) => {
    this.opts.onDeadLettered?.(reason);
    this.opts.logger.warn({ reason }, 'a message that does not decode was dead-lettered');
  };

  constructor(private readonly opts: WorkerPoolOptions<T>) {
    // Every worker waiting out an outage listens for stop: more than the default 10 is no leak.
    setMaxListeners(0, this.#stop.signal);
    this.#holdMs = opts.holdTimeoutMs ?? 60_000;
  }

  start(): void {
    if (this.opts.workers <= 0 || this.#running) return;
    this.#running = this.#loop().catch((err: unknown) => {
      this.opts.logger.error({ err: describeError(err) }, 'worker pool stopped on an error');
    });
  }

  #id(delivery: Delivery<T>): string | undefined {
    return this.opts.idOf?.(delivery.item);
  }

  /** Consumes until stopped; if consuming fails (e.g. NATS gone), logs and starts again. */
  async #loop(): Promise<void> {
    const { source, workers, logger } = this.opts;
    while (!this.#stopping) {
      try {
        for await (const delivery of source.deliveries(workers, this.#undecodable)) {
          // deliveries() never hands out more than `workers` at once, so this never over-commits.
          const task = this.#traced(delivery).finally(() => this.#active.delete(task));
          this.#active.add(task);
        }
      } catch (err) {
        if (!this.#stopping) logger.error({ err: describeError(err) }, 'consuming failed; retrying in 1 s');
      }
      if (!this.#stopping) await this.#pause(RESTART_MS);
    }
  }

  #backoff(attempt: number): number {
    const { backoffMs } = this.opts;
    return Math.min(backoffMs * 2 ** (attempt - 1), backoffMs * 10);
  }

  /** Sleeps; false if stopping cut it short. */
  #pause(ms: number): Promise<boolean> {
    return sleep(ms, undefined, { signal: this.#stop.signal }).then(
      () => true,
      () => false,
    );
  }

  /**
   * #handle, in a CONSUMER span when the source names its messaging destination; else (the
   * in-process queue) in the trace context its headers carry, if any, without a span of its own.
   */
  #traced(delivery: Delivery<T>): Promise<void> {
    const target = this.opts.source.messaging;
    if (target === undefined) {
      return delivery.headers.traceparent === undefined
        ? this.#handle(delivery)
        : continuedIn(delivery.headers, () => this.#handle(delivery));
    }
    const id = this.#id(delivery);
    const attrs = id === undefined ? {} : { 'messaging.message.id': id };
    return consumerSpan(target, delivery.headers, attrs, () => this.#handle(delivery));
  }

  async #handle(delivery: Delivery<T>): Promise<void> {
    const { handle, classify, logger } = this.opts;
    const heldSince = performance.now();
    for (let outage = 1; ; outage++) {
      try {
        await handle(delivery.item, delivery);
        break;
      } catch (err) {
        if (classify(err) === 'fault') return this.#faulted(delivery, err);
        if (outage === 1) {
          logger.warn(
            { id: this.#id(delivery), err: describeError(err) },
            'processing failed on the backend; retrying in place',
          );
        }
        const wait = Math.max(this.#backoff(outage), OUTAGE_MIN_MS);
        if (performance.now() - heldSince + wait > this.#holdMs) {
          logger.warn(
            { id: this.#id(delivery), heldMs: this.#holdMs },
            'held too long through an outage: handed back',
          );
          delivery.release(wait);
          return;
        }
        if (!(await this.#pause(wait))) {
          delivery.release(0); // stopping: hand it back now rather than after the ack wait
          return;
        }
      }
    }
    try {
      await delivery.ack();
    } catch (err) {
      // The work is done; a redelivery must find it done (idempotent processing).
      logger.warn({ id: this.#id(delivery), err: describeError(err) }, 'ack failed; it may be redelivered');
    }
  }

  async #faulted(delivery: Delivery<T>, err: unknown): Promise<void> {
    const { logger, maxAttempts, backoffMs } = this.opts;
    const attempt = delivery.faults + 1;
    if (attempt < maxAttempts) {
      await delivery.fail(this.#backoff(attempt)).catch((failErr: unknown) => {
        logger.error(
          { id: this.#id(delivery), err: describeError(failErr) },
          'recording a failed attempt failed',
        );
      });
      return;
    }
    const reason = describeError(err);
    try {
      await delivery.deadLetter(reason);
      this.opts.onDeadLettered?.(reason);
      logger.warn({ id: this.#id(delivery), attempts: attempt, reason }, 'dead-lettered');
    } catch (dlqErr) {
      // Handed back, not acknowledged: it comes back and dead-lettering is tried again.
      logger.error({ id: this.#id(delivery), err: describeError(dlqErr) }, 'dead-lettering failed');
      delivery.release(backoffMs * 10);
    }
  }

  /**
   * Stops the pool. From a durable source it takes nothing more and hands back what it waits on
   * at once; an in-process queue it keeps working off until it is empty or `signal` aborts. Then
   * it waits for the items being processed (each attempt is bounded by the backends' timeouts).
   */
  async drain(signal: AbortSignal): Promise<void> {
    const { source } = this.opts;
    if (!source.durable && this.#running) {
      while (source.depth() > 0 && !signal.aborted) await sleep(DRAIN_POLL_MS);
    }
    this.#stopping = true;
    this.#stop.abort();
    await source.stop();
    await this.#running;
    await Promise.allSettled([...this.#active]);
  }

  /** Stops at once: drain() with no time to work anything off. */
  stop(): Promise<void> {
    return this.drain(AbortSignal.abort());
  }
}

/**
 * A worker pool whose drain is registered on the runtime (after the queue and the stores it uses,
 * so it stops before them). Call start() once the service is ready for work.
 */
export function createWorkerPool<T>(rt: ServiceRuntime, opts: WorkerPoolOptions<T>): WorkerPool<T> {
  const pool = new WorkerPool(opts);
  rt.lifecycle.add({ name: 'worker pool', drain: (signal) => pool.drain(signal).then(() => 0) });
  return pool;
}
