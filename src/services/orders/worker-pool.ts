import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { describeError } from '../../shared/errors.js';
import { isOrderFault } from './failure.js';
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
/** A backend outage is retried at least this far apart, even with --backoff-ms 0. */
const OUTAGE_MIN_MS = 100;

/**
 * Drains a queue with `workers` concurrent slots. Two kinds of failure, told apart by isOrderFault:
 *
 * - The order's own fault (an injected fault, or data the database refuses: SQLSTATE class 22/23).
 *   The attempt is released for redelivery after an exponential backoff; the delivery count is the
 *   attempt number, and after --max-attempts the order is dead-lettered and counts as an error.
 * - The backend's fault (Postgres down, a missing table, anything else). The worker keeps the
 *   message (a JetStream keep-alive holds it) and retries in place with the same backoff, without
 *   limit: the delivery count does not grow, so an outage burns none of the order's attempts.
 *   On stop the message is released at once.
 */
export class WorkerPool {
  #running: Promise<void> | undefined;
  #stopping = false;
  readonly #stop = new AbortController();
  readonly #active = new Set<Promise<void>>();
  readonly #undecodable = (reason: string) => {
    this.opts.metrics.workDone.error.inc();
    this.opts.logger.warn({ reason }, 'a message that is not an order was dead-lettered');
  };

  constructor(private readonly opts: WorkerPoolOptions) {
    // Every worker waiting out an outage listens for stop: more than the default 10 is no leak.
    setMaxListeners(0, this.#stop.signal);
  }

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
        for await (const delivery of source.deliveries(workers, this.#undecodable)) {
          // deliveries() never hands out more than `workers` at once, so this never over-commits.
          const task = this.#handle(delivery).finally(() => this.#active.delete(task));
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

  /** Sleeps; false if stop() cut it short. */
  #pause(ms: number): Promise<boolean> {
    return sleep(ms, undefined, { signal: this.#stop.signal }).then(
      () => true,
      () => false,
    );
  }

  async #handle(delivery: Delivery): Promise<void> {
    const { processor, logger } = this.opts;
    for (let outage = 1; ; outage++) {
      try {
        await processor.process(delivery.order, delivery.attempt);
        break;
      } catch (err) {
        if (isOrderFault(err)) return this.#orderFailed(delivery, err);
        if (outage === 1) {
          logger.warn(
            { id: delivery.order.id, err: describeError(err) },
            'processing failed on the backend; retrying in place',
          );
        }
        if (!(await this.#pause(Math.max(this.#backoff(outage), OUTAGE_MIN_MS)))) {
          delivery.retry(0); // stopping: hand it back now rather than after the ack wait
          return;
        }
      }
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

  async #orderFailed(delivery: Delivery, err: unknown): Promise<void> {
    const { metrics, logger, maxAttempts, backoffMs } = this.opts;
    if (delivery.attempt < maxAttempts) {
      delivery.retry(this.#backoff(delivery.attempt));
      return;
    }
    const reason = describeError(err);
    try {
      await delivery.deadLetter(reason);
      metrics.workDone.error.inc();
      logger.warn({ id: delivery.order.id, attempts: delivery.attempt, reason }, 'order dead-lettered');
    } catch (dlqErr) {
      // Released, not acknowledged: it comes back and dead-lettering is tried again.
      logger.error({ id: delivery.order.id, err: describeError(dlqErr) }, 'dead-lettering failed');
      delivery.retry(backoffMs * 10);
    }
  }

  /** Stop taking new orders and wait for the ones being processed (an outage retry is released). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stop.abort();
    await this.opts.source.stop();
    await this.#running;
    await Promise.allSettled([...this.#active]);
  }
}
