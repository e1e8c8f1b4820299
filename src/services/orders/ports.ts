import type { Order, StoredOrder } from './order.js';

/** Where processed orders live: one row per id; writing an id twice keeps the first row. */
export interface OrderStore {
  readonly description: string;
  /** Resolves once the row is committed (or already existed). */
  save(order: StoredOrder): Promise<void>;
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

/** The worker side of a queue. */
export interface OrderSource {
  readonly description: string;
  /** Deliveries, at most `prefetch` outstanding; ends after stop(). */
  deliveries(prefetch: number): AsyncIterable<Delivery>;
  /** Stop delivering; outstanding deliveries may still be acked or released. */
  stop(): Promise<void>;
}
