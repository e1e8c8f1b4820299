import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { TallyCounter, TallyGauge } from '../../../platform/telemetry/tally.js';
import type { OrderMeter } from '../domain/ports.js';

/** What the metrics read from the queue at scrape time (each as the queue last sampled it). */
export interface QueueGauges {
  /** Waiting plus in flight. */
  depth(): number;
  /** Seconds the oldest order still waiting (or in flight) has been in the queue; 0 when none. */
  oldestAgeSeconds(): number;
  /** Orders in the dead-letter stream, or dead-lettered by the in-process queue. */
  deadLetters(): number;
}

/** A gauge read from the queue at scrape time; 0 without a queue. Never throws into a scrape. */
function queueGauge(registry: Registry, name: string, help: string, read: () => number): void {
  const gauge: Gauge = new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      try {
        gauge.set(read());
      } catch {
        // Telemetry never throws into the application.
      }
    },
  });
}

/**
 * The orders service's own metrics on `registry` (names exact, no prefix, as the issue asks), as
 * the domain's meter port: work_done_total{status}, orders_duplicates_total, orders_queue_depth,
 * orders_queue_oldest_age_seconds, orders_dlq_depth, orders_processing_seconds,
 * orders_end_to_end_seconds, orders_inflight. The queue gauges are read at scrape time.
 */
export function createOrderMeter(registry: Registry, queue: QueueGauges | undefined): OrderMeter {
  // Counted per order as plain numbers, handed to prom-client when the registry is read (see
  // TallyCounter): a labelled prom-client inc() per order cost more than the counting itself.
  const done = new TallyCounter();
  const error = new TallyCounter();
  const duplicates = new TallyCounter();
  const inflight = new TallyGauge();
  const workDone: Counter<'status'> = new Counter({
    name: 'work_done_total',
    help: 'Orders by outcome: done = processed; error = shed (shed mode), failed or dead-lettered',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      done.flushInto(doneSeries);
      error.flushInto(errorSeries);
    },
  });
  queueGauge(
    registry,
    'orders_queue_depth',
    'Orders in the queue: waiting plus in flight (0 without a queue)',
    () => (queue === undefined ? 0 : queue.depth()),
  );
  queueGauge(
    registry,
    'orders_queue_oldest_age_seconds',
    'Age in seconds of the oldest order still waiting in the queue (or in flight); 0 when none',
    () => (queue === undefined ? 0 : queue.oldestAgeSeconds()),
  );
  queueGauge(
    registry,
    'orders_dlq_depth',
    'Orders in the dead-letter queue: messages in <stream>_DLQ, or dead-lettered by the in-process queue',
    () => (queue === undefined ? 0 : queue.deadLetters()),
  );
  const doneSeries = workDone.labels({ status: 'done' });
  const errorSeries = workDone.labels({ status: 'error' });
  // Both series exist from the start, so rate() and the stacked graphs see zeros, not gaps.
  doneSeries.inc(0);
  errorSeries.inc(0);
  const duplicatesTotal: Counter = new Counter({
    name: 'orders_duplicates_total',
    help: 'Processing attempts that found the order already stored (an Idempotency-Key retry or a redelivery); not counted in work_done_total',
    registers: [registry],
    collect() {
      duplicates.flushInto(duplicatesTotal);
    },
  });
  const inflightGauge: Gauge = new Gauge({
    name: 'orders_inflight',
    help: 'Orders being processed right now',
    registers: [registry],
    collect() {
      inflight.copyInto(inflightGauge);
    },
  });
  return {
    done,
    error,
    duplicates,
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
    inflight,
  };
}
