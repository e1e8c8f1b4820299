import { setTimeout as sleep } from 'node:timers/promises';
import { type FaultConfig, maybeFail } from './faults.js';
import type { Order } from './order.js';
import type { OrderMeter, OrderStore, OrderTracer } from './ports.js';
import type { RatePacer } from './rate-pacer.js';

export interface ProcessorOptions {
  readonly store: OrderStore;
  readonly pacer: RatePacer;
  readonly workMs: number;
  readonly faults: FaultConfig;
  readonly meter: OrderMeter;
  /** undefined: untraced; then processing allocates no span, attributes or closure. */
  readonly tracer: OrderTracer | undefined;
}

/**
 * "Processing" an order: take a slot of the backend's capacity, do the simulated work, maybe fail
 * (fault injection), then write the row. Counts `done` only when this attempt inserted the row (a
 * retry or redelivery that finds it counts as a duplicate); the caller decides what a failure
 * counts as. Processing time is recorded for every successful attempt, duplicates included.
 */
export class OrderProcessor {
  constructor(private readonly opts: ProcessorOptions) {}

  /** Throws if this attempt failed; the row is then not written. `attempt` is 1 on the first. */
  process(order: Order, attempt: number): Promise<void> {
    const { tracer } = this.opts;
    if (tracer === undefined) return this.#process(order, attempt);
    return tracer.inSpan('order.process', { 'order.id': order.id, 'order.attempt': attempt }, () =>
      this.#process(order, attempt),
    );
  }

  async #process(order: Order, attempt: number): Promise<void> {
    const { store, pacer, workMs, faults, meter } = this.opts;
    if (pacer.limited) await pacer.take();
    meter.inflight.inc();
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
      meter.processingSeconds.observe((performance.now() - started) / 1000);
      if (inserted) {
        meter.endToEndSeconds.observe(Math.max(0, processedAt - order.acceptedAt) / 1000);
        meter.done.inc();
      } else {
        meter.duplicates.inc();
      }
    } finally {
      meter.inflight.dec();
    }
  }
}
