/**
 * The work-queue ports every queue adapter implements (JetStream, the in-process queue) and the
 * worker pool consumes. Items are the service's own type; an adapter moves them as they are
 * (in-process) or through a Codec (JetStream).
 */

/**
 * Message metadata that travels with an item across the queue: W3C trace context (`traceparent`),
 * the platform's own bookkeeping. Names are lower case.
 */
export type MessageHeaders = Readonly<Record<string, string>>;

export interface PublishOptions {
  /** Dedupe key: JetStream drops a second publish with the same id within its duplicate window. */
  readonly id?: string;
  readonly headers?: MessageHeaders;
}

/** How an item travels as bytes. `decode` throws on bytes that are not an item. */
export interface Codec<T> {
  encode(item: T): Uint8Array;
  decode(data: Uint8Array): T;
}

/** The producer side: resolves once the queue has taken the item, as durably as it is. */
export interface WorkQueue<T> {
  /** What it is and what it guarantees, for the start-up log line. */
  readonly description: string;
  publish(item: T, opts?: PublishOptions): Promise<void>;
  /** Waiting plus in flight, as last sampled. */
  depth(): number;
  /** Age in seconds of the oldest item still waiting or in flight, as last sampled; 0 when none. */
  oldestAgeSeconds(): number;
  /** Items in the dead-letter store, as last sampled. */
  deadLetters(): number;
}

/**
 * One delivery of an item to a worker; settles exactly once. Attempts count the item's own
 * faults only: a delivery handed back because a worker stopped, or because a backend was down,
 * is no attempt of the item's (JetStream's delivery count would count those too).
 */
export interface Delivery<T> {
  readonly item: T;
  readonly headers: MessageHeaders;
  /** The item's own failed attempts before this one; 0 on the first. */
  readonly faults: number;
  ack(): Promise<void>;
  /** Gives it back, not through its own fault (stopping, an outage), for another try after `delayMs`. */
  release(delayMs: number): void;
  /** This attempt failed through the item's own fault: count it, and try again after `delayMs`. */
  fail(delayMs: number): Promise<void>;
  /** Out of attempts: park it in the dead-letter store (then it is acknowledged). */
  deadLetter(reason: string): Promise<void>;
}

/** The dead-letter store's header and field names for why and after how many attempts. */
export const DEAD_REASON = 'Peaklab-Reason';
export const DEAD_ATTEMPTS = 'Peaklab-Attempts';

/** Called when the source dead-lettered, by itself, a message that does not decode. */
export type UndecodableHandler = (reason: string) => void;

/** The consumer side. */
export interface WorkSource<T> {
  /**
   * True when what it holds survives this process (JetStream): a stopping worker pool then hands
   * its items back at once. False for the in-process queue: a stopping pool first works it off.
   */
  readonly durable: boolean;
  /**
   * Messaging semconv's system and destination ("nats", "ORDERS.new"): when set, the worker pool
   * processes each delivery in a CONSUMER span continuing the trace in its headers.
   */
  readonly messaging?: { readonly system: string; readonly destination: string };
  /** Items it holds: waiting, waiting out a backoff, and delivered but not settled. */
  depth(): number;
  /** Deliveries, at most `prefetch` outstanding; ends after stop(). */
  deliveries(prefetch: number, undecodable: UndecodableHandler): AsyncIterable<Delivery<T>>;
  /** Stop delivering; outstanding deliveries may still be acked or released. */
  stop(): Promise<void>;
}
