import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The orders service's own metrics (names exact, no prefix, as the issue asks). */
export interface OrderMetrics {
  readonly workDone: { done: Counter.Internal; error: Counter.Internal };
  /** Successful attempts whose row already existed: not counted as done. */
  readonly duplicates: Counter;
  readonly queueDepth: Gauge;
  readonly processingSeconds: Histogram;
  readonly endToEndSeconds: Histogram;
  readonly inflight: Gauge;
}

export function createOrderMetrics(registry: Registry, queueDepth: () => number): OrderMetrics {
  const workDone = new Counter({
    name: 'work_done_total',
    help: 'Orders by outcome: done = processed; error = shed (shed mode), failed or dead-lettered',
    labelNames: ['status'],
    registers: [registry],
  });
  const depth = new Gauge({
    name: 'orders_queue_depth',
    help: 'Orders in the queue: waiting plus in flight (0 without a queue)',
    registers: [registry],
    collect() {
      try {
        this.set(queueDepth());
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
    workDone: { done, error },
    duplicates: new Counter({
      name: 'orders_duplicates_total',
      help: 'Processing attempts that found the order already stored (an Idempotency-Key retry or a redelivery); not counted in work_done_total',
      registers: [registry],
    }),
    queueDepth: depth,
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
