import type { Order, StoredOrder } from './order.js';

/** Where processed orders live: one row per id; writing an id twice keeps the first row. */
export interface OrderStore {
  readonly description: string;
  /**
   * Resolves once the row is committed: true if this call inserted it, false if it already existed
   * (an idempotent retry or a redelivery). Rejects with OrderRejected if the store refuses this
   * order's data; then only this order fails, never the others committed with it.
   */
  save(order: StoredOrder): Promise<boolean>;
  /** Every row's id with its accepted and processed times (epoch ms). */
  timings(): Promise<OrderTiming[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OrderTiming {
  id: string;
  acceptedAt: number;
  processedAt: number | null;
}

/** The intake side of a queue: resolves once the queue has durably taken the order (as durable as it is). */
export interface OrderQueue {
  readonly description: string;
  publish(order: Order): Promise<void>;
  /** Waiting plus in flight, as last sampled. */
  depth(): number;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One delivery of an order to a worker. */
export interface Delivery {
  readonly order: Order;
  /** 1 on the first delivery. */
  readonly attempt: number;
  ack(): Promise<void>;
  /** Give it back for another attempt after `delayMs`. */
  retry(delayMs: number): void;
  /** Out of attempts: park it in the dead-letter queue (then it is acknowledged). */
  deadLetter(reason: string): Promise<void>;
}

/** Called when the source dead-lettered, by itself, a message that is not an order. */
export type UndecodableHandler = (reason: string) => void;

/** The worker side of a queue. */
export interface OrderSource {
  readonly description: string;
  /** Deliveries, at most `prefetch` outstanding; ends after stop(). */
  deliveries(prefetch: number, undecodable: UndecodableHandler): AsyncIterable<Delivery>;
  /** Stop delivering; outstanding deliveries may still be acked or released. */
  stop(): Promise<void>;
}
