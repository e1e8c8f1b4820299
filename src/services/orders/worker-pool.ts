import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { describeError } from '../../shared/errors.js';
import { InjectedFault } from './faults.js';
import type { OrderMetrics } from './metrics.js';
import type { Delivery, OrderSource } from './ports.js';
import type { OrderProcessor } from './processor.js';

export interface WorkerPoolOptions {
  readonly source: OrderSource;
  readonly processor: OrderProcessor;
  readonly metrics: OrderMetrics;
  readonly logger: Logger;
  /** How many orders are processed at once. */
  readonly workers: number;
  /** After this many failed attempts an order goes to the dead-letter queue. */
  readonly maxAttempts: number;
  /** Backoff before the 2nd attempt; doubles each time, capped at 10× itself. */
  readonly backoffMs: number;
}

const RESTART_MS = 1000;

/**
 * Drains a queue with `workers` concurrent slots. A failed attempt is released for a retry after
 * an exponential backoff; after the last attempt the order is dead-lettered and counts as an error.
 * A backend failure (database down) is retried without limit: it is not the order's fault.
 */
export class WorkerPool {
  #running: Promise<void> | undefined;
  #stopping = false;
  readonly #active = new Set<Promise<void>>();

  constructor(private readonly opts: WorkerPoolOptions) {}

  start(): void {
    if (this.opts.workers <= 0 || this.#running) return;
    this.#running = this.#loop().catch((err: unknown) => {
      this.opts.logger.error({ err: describeError(err) }, 'worker pool stopped on an error');
    });
  }

  /** Consumes until stopped; if consuming fails (e.g. NATS gone), logs and starts again. */
  async #loop(): Promise<void> {
    const { source, workers, logger } = this.opts;
    while (!this.#stopping) {
      try {
        for await (const delivery of source.deliveries(workers)) {
          // deliveries() never hands out more than `workers` at once, so this never over-commits.
          const task = this.#handle(delivery).finally(() => this.#active.delete(task));
          this.#active.add(task);
        }
      } catch (err) {
        if (!this.#stopping) logger.error({ err: describeError(err) }, 'consuming failed; retrying in 1 s');
      }
      if (!this.#stopping) await sleep(RESTART_MS);
    }
  }

  async #handle(delivery: Delivery): Promise<void> {
    const { processor, metrics, logger, maxAttempts, backoffMs } = this.opts;
    try {
      await processor.process(delivery.order, delivery.attempt);
    } catch (err) {
      const reason = describeError(err);
      const delay = Math.min(backoffMs * 2 ** (delivery.attempt - 1), backoffMs * 10);
      if (!(err instanceof InjectedFault)) {
        // The backend failed, not the order (e.g. Postgres is down): retry, never dead-letter.
        logger.warn({ id: delivery.order.id, err: reason }, 'processing failed on the backend; will retry');
        delivery.retry(delay);
        return;
      }
      if (delivery.attempt < maxAttempts) {
        delivery.retry(delay);
        return;
      }
      try {
        await delivery.deadLetter(reason);
        metrics.workDone.error.inc();
        logger.warn({ id: delivery.order.id, attempts: delivery.attempt, reason }, 'order dead-lettered');
      } catch (dlqErr) {
        // Released, not acknowledged: it comes back and dead-lettering is tried again.
        logger.error({ id: delivery.order.id, err: describeError(dlqErr) }, 'dead-lettering failed');
        delivery.retry(backoffMs * 10);
      }
      return;
    }
    try {
      await delivery.ack();
    } catch (err) {
      // The row is committed; a redelivery finds it and writes nothing (primary key).
      logger.warn(
        { id: delivery.order.id, err: describeError(err) },
        'ack failed; the order may be redelivered',
      );
    }
  }

  /** Stop taking new orders and wait for the ones being processed. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.opts.source.stop();
    await this.#running;
    await Promise.allSettled([...this.#active]);
  }
}
