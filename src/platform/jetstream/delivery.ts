import type { JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { Delivery, MessageHeaders } from '../queue/types.js';

/** Redelivery after a worker died holding a message; long work keeps it with working(). */
export const ACK_WAIT_MS = 10_000;

/** What a delivery needs from the queue that handed it out. */
export interface DeliveryOwner {
  /** A delivery settled: one more worker slot is free. */
  released(): void;
  publishDead(msg: JsMsg, reason: string, id?: string): Promise<void>;
}

const NO_HEADERS: MessageHeaders = Object.freeze({});

/** A message's headers as a plain object with lower-case names (the first value of each). */
export function headersOf(h: MsgHdrs | undefined): MessageHeaders {
  if (h === undefined) return NO_HEADERS;
  const out: Record<string, string> = {};
  for (const key of h.keys()) out[key.toLowerCase()] = h.get(key);
  return out;
}

/** A JetStream message handed to a worker; settles exactly once. */
export class JsDelivery<T> implements Delivery<T> {
  readonly attempt: number;
  readonly headers: MessageHeaders;
  #settled = false;
  readonly #keepAlive: NodeJS.Timeout;

  constructor(
    readonly item: T,
    private readonly msg: JsMsg,
    private readonly queue: DeliveryOwner,
    private readonly id: string | undefined,
  ) {
    this.attempt = msg.info.deliveryCount;
    this.headers = headersOf(msg.headers);
    this.#keepAlive = setInterval(() => msg.working(), ACK_WAIT_MS / 2);
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearInterval(this.#keepAlive);
    this.queue.released();
    return true;
  }

  async ack(): Promise<void> {
    if (this.#settle()) await this.msg.ackAck();
  }

  retry(delayMs: number): void {
    if (this.#settle()) this.msg.nak(delayMs);
  }

  async deadLetter(reason: string): Promise<void> {
    if (this.#settled) return;
    await this.queue.publishDead(this.msg, reason, this.id);
    await this.ack();
  }
}
