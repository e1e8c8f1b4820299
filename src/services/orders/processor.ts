import { setTimeout as sleep } from 'node:timers/promises';
import { type FaultConfig, maybeFail } from './faults.js';
import type { OrderMetrics } from './metrics.js';
import type { Order } from './order.js';
import type { OrderStore } from './ports.js';
import type { RatePacer } from './rate-pacer.js';

export interface ProcessorOptions {
  readonly store: OrderStore;
  readonly pacer: RatePacer;
  readonly workMs: number;
  readonly faults: FaultConfig;
  readonly metrics: OrderMetrics;
}

/**
 * "Processing" an order: take a slot of the backend's capacity, do the simulated work, maybe fail
 * (fault injection), then write the row. Counts `done` only when this attempt inserted the row (a
 * retry or redelivery that finds it counts in orders_duplicates_total); the caller decides what a
 * failure counts as. orders_processing_seconds counts every successful attempt, duplicates included.
 */
export class OrderProcessor {
  constructor(private readonly opts: ProcessorOptions) {}

  /** Throws if this attempt failed; the row is then not written. */
  async process(order: Order, attempt: number): Promise<void> {
    const { store, pacer, workMs, faults, metrics } = this.opts;
    if (pacer.limited) await pacer.take();
    metrics.inflight.inc();
    const started = performance.now();
    try {
      if (workMs > 0) await sleep(workMs);
      maybeFail(faults, order.productId);
      const processedAt = Date.now();
      const inserted = await store.save({
        id: order.id,
        productId: order.productId,
        count: order.count,
        username: order.username,
        acceptedAt: order.acceptedAt,
        processedAt,
        attempts: attempt,
      });
      metrics.processingSeconds.observe((performance.now() - started) / 1000);
      if (inserted) {
        metrics.endToEndSeconds.observe(Math.max(0, processedAt - order.acceptedAt) / 1000);
        metrics.workDone.done.inc();
      } else {
        metrics.duplicates.inc();
      }
    } finally {
      metrics.inflight.dec();
    }
  }
}
