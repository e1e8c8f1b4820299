import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Incrementer } from './ports.js';

/**
 * The counter's own metrics, read at scrape time (nothing on the hot path):
 * - `counter_value`: the total as the store holds it (a float: exact up to 2^53);
 * - `counter_pending`: increments accepted and not yet answered (the backlog: inputq's queue, the
 *   mutex's waiting line, or calls in flight).
 * `readTotal` failing (a stalled store) leaves `counter_value` at its last value: a scrape never
 * fails because of the store.
 */
export function registerCounterMetrics(
  registry: Registry,
  incrementer: Incrementer,
  readTotal: () => Promise<bigint>,
): void {
  new Gauge({
    name: 'counter_value',
    help: 'The counter total as stored, read at scrape time',
    registers: [registry],
    async collect() {
      try {
        this.set(Number(await readTotal()));
      } catch {
        // Keep the last value: telemetry never fails because the store does.
      }
    },
  });
  new Gauge({
    name: 'counter_pending',
    help: 'Increments accepted and not yet answered (queued, waiting for the lock, or in flight)',
    registers: [registry],
    collect() {
      this.set(incrementer.pending());
    },
  });
}

/**
 * `counter_inputq_batch_size`: increments per owner round trip in inputq (1 = no batching; under
 * load it grows with the number of callers waiting). Returns the observer to give the incrementer.
 */
export function batchSizeObserver(registry: Registry): (size: number) => void {
  const histogram = new Histogram({
    name: 'counter_inputq_batch_size',
    help: 'inputq: increments applied per owner batch (one store round trip)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [registry],
  });
  return (size) => histogram.observe(size);
}
