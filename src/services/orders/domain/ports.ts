import type { CounterPort, GaugePort, HistogramPort, TracerPort } from '../../../platform/telemetry/ports.js';
import type { Order, StoredOrder } from './order.js';

/** Where processed orders live: one row per id; writing an id twice keeps the first row. */
export interface OrderStore {
  /**
   * Resolves once the row is committed: true if this call inserted it, false if it already existed
   * (an idempotent retry or a redelivery). Rejects with OrderRejected if the store refuses this
   * order's data; then only this order fails, never the others committed with it. Any other
   * rejection is the store's own failure.
   */
  save(order: StoredOrder): Promise<boolean>;
  /** Every row's id with its accepted and processed times (epoch ms). */
  timings(): Promise<OrderTiming[]>;
}

export interface OrderTiming {
  id: string;
  acceptedAt: number;
  processedAt: number | null;
}

/** The intake side of a queue: resolves once the queue has taken the order (as durably as it is). */
export interface OrderQueue {
  publish(order: Order): Promise<void>;
}

/** What the orders domain records (names and units are the adapter's; see adapters/metrics.ts). */
export interface OrderMeter {
  /** Orders whose row this process inserted. */
  readonly done: CounterPort;
  /** Orders shed, failed (direct/shed) or dead-lettered (queue). */
  readonly error: CounterPort;
  /** Successful attempts whose row already existed. */
  readonly duplicates: CounterPort;
  /** Seconds per successful attempt: simulated work plus the write. */
  readonly processingSeconds: HistogramPort;
  /** Seconds from acceptance to processing. */
  readonly endToEndSeconds: HistogramPort;
  /** Orders being processed now. */
  readonly inflight: GaugePort;
}

export type { TracerPort as OrderTracer };
