import { Gauge, type Registry } from 'prom-client';
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
