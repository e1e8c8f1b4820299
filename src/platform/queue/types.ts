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
}

/** One delivery of an item to a worker; settles exactly once. */
export interface Delivery<T> {
  readonly item: T;
  readonly headers: MessageHeaders;
  /** 1 on the first delivery. */
  readonly attempt: number;
  ack(): Promise<void>;
  /** Gives it back for another attempt after `delayMs`. */
  retry(delayMs: number): void;
  /** Out of attempts: park it in the dead-letter store (then it is acknowledged). */
  deadLetter(reason: string): Promise<void>;
}

/** Called when the source dead-lettered, by itself, a message that does not decode. */
export type UndecodableHandler = (reason: string) => void;

/** The consumer side. */
export interface WorkSource<T> {
  /** Deliveries, at most `prefetch` outstanding; ends after stop(). */
  deliveries(prefetch: number, undecodable: UndecodableHandler): AsyncIterable<Delivery<T>>;
  /** Stop delivering; outstanding deliveries may still be acked or released. */
  stop(): Promise<void>;
}
