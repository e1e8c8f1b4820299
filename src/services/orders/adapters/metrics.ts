import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OrderMeter } from '../domain/ports.js';

/** What the metrics read from the queue at scrape time. */
export interface QueueGauges {
  /** Waiting plus in flight. */
  depth(): number;
}

/**
 * The orders service's own metrics on `registry` (names exact, no prefix, as the issue asks), as
 * the domain's meter port: work_done_total{status}, orders_duplicates_total, orders_queue_depth,
 * orders_processing_seconds, orders_end_to_end_seconds, orders_inflight.
 */
export function createOrderMeter(registry: Registry, queue: QueueGauges | undefined): OrderMeter {
  const workDone = new Counter({
    name: 'work_done_total',
    help: 'Orders by outcome: done = processed; error = shed (shed mode), failed or dead-lettered',
    labelNames: ['status'],
    registers: [registry],
  });
  new Gauge({
    name: 'orders_queue_depth',
    help: 'Orders in the queue: waiting plus in flight (0 without a queue)',
    registers: [registry],
    collect() {
      try {
        this.set(queue?.depth() ?? 0);
      } catch {
        // Telemetry never throws into the application.
      }
    },
  });
  const done = workDone.labels({ status: 'done' });
  const error = workDone.labels({ status: 'error' });
  // Both series exist from the start, so rate() and the stacked graphs see zeros, not gaps.
  done.inc(0);
  error.inc(0);
  return {
    done,
    error,
    duplicates: new Counter({
      name: 'orders_duplicates_total',
      help: 'Processing attempts that found the order already stored (an Idempotency-Key retry or a redelivery); not counted in work_done_total',
      registers: [registry],
    }),
    processingSeconds: new Histogram({
      name: 'orders_processing_seconds',
      help: 'Time to process one order attempt (simulated work plus the database write), in seconds',
      buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    endToEndSeconds: new Histogram({
      name: 'orders_end_to_end_seconds',
      help: 'Time from an order being accepted to it being processed, in seconds',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    inflight: new Gauge({
      name: 'orders_inflight',
      help: 'Orders being processed right now',
      registers: [registry],
    }),
  };
}
