import type { JsMsg } from '@nats-io/jetstream';
import type { Order } from './order.js';
import type { Delivery } from './ports.js';

/** Redelivery after a worker died holding a message; long work keeps it with working(). */
export const ACK_WAIT_MS = 10_000;

/** What a delivery needs from the queue that handed it out. */
export interface DeliveryOwner {
  /** A delivery settled: one more worker slot is free. */
  released(): void;
  publishDead(msg: JsMsg, reason: string, orderId?: string): Promise<void>;
}

/** A JetStream message handed to a worker; settles exactly once. */
export class JsDelivery implements Delivery {
  readonly attempt: number;
  #settled = false;
  readonly #keepAlive: NodeJS.Timeout;

  constructor(
    readonly order: Order,
    private readonly msg: JsMsg,
    private readonly queue: DeliveryOwner,
  ) {
    this.attempt = msg.info.deliveryCount;
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
    await this.queue.publishDead(this.msg, reason, this.order.id);
    await this.ack();
  }
}
