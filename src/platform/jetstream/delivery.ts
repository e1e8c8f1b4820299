import type { JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { Delivery, MessageHeaders } from '../queue/types.js';

/** Redelivery after a worker died holding a message; long work keeps it with working(). */
export const ACK_WAIT_MS = 10_000;

/** The item's own failed attempts so far: JetStream's delivery count also counts hand-backs. */
export const FAULTS_HEADER = 'Peaklab-Faults';
/** A retried item is not processed before this instant (epoch ms): its backoff. */
export const NOT_BEFORE_HEADER = 'Peaklab-Not-Before';
/** The first publish's dedupe id, kept when an item is published again for a retry. */
export const ORIGIN_ID_HEADER = 'Peaklab-Origin-Id';

/** What a delivery needs from the queue that handed it out. */
export interface DeliveryOwner {
  /** A delivery settled: one more worker slot is free. */
  released(): void;
  /** Publishes the item again with `faults` counted and a not-before of now + delayMs. */
  publishRetry(msg: JsMsg, id: string, faults: number, delayMs: number): Promise<void>;
  publishDead(msg: JsMsg, reason: string, id: string, attempts: number): Promise<void>;
}

const NO_HEADERS: MessageHeaders = Object.freeze({});

/** A message's headers as a plain object with lower-case names (the first value of each). */
export function headersOf(h: MsgHdrs | undefined): MessageHeaders {
  if (h === undefined) return NO_HEADERS;
  const out: Record<string, string> = {};
  for (const key of h.keys()) out[key.toLowerCase()] = h.get(key);
  return out;
}

/** A non-negative integer header, or 0. */
export function countHeader(msg: JsMsg, name: string): number {
  const n = Number(msg.headers?.get(name) ?? '');
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/**
 * A JetStream message handed to a worker; settles exactly once. While unsettled it tells JetStream
 * the worker is still on it (working()), but for at most `maxHoldMs`: a worker that never finishes
 * must not keep the message from the others forever; after that JetStream redelivers it once the
 * ack wait runs out.
 */
export class JsDelivery<T> implements Delivery<T> {
  readonly faults: number;
  readonly headers: MessageHeaders;
  #settled = false;
  readonly #keepAlive: NodeJS.Timeout;

  constructor(
    readonly item: T,
    private readonly msg: JsMsg,
    private readonly queue: DeliveryOwner,
    private readonly id: string,
    maxHoldMs: number,
  ) {
    this.faults = countHeader(msg, FAULTS_HEADER);
    this.headers = headersOf(msg.headers);
    const until = performance.now() + maxHoldMs;
    this.#keepAlive = setInterval(() => {
      if (performance.now() < until) msg.working();
      else clearInterval(this.#keepAlive);
    }, ACK_WAIT_MS / 2);
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

  release(delayMs: number): void {
    if (this.#settle()) this.msg.nak(delayMs);
  }

  /**
   * Counts the fault in a copy of the message published for the retry, then acknowledges this
   * one. If the copy cannot be published, the message is released instead (that fault then goes
   * uncounted) and the error is rethrown for the caller to log.
   */
  async fail(delayMs: number): Promise<void> {
    if (!this.#settle()) return;
    try {
      await this.queue.publishRetry(this.msg, this.id, this.faults + 1, delayMs);
    } catch (err) {
      this.msg.nak(delayMs);
      throw err;
    }
    await this.msg.ackAck();
  }

  async deadLetter(reason: string): Promise<void> {
    if (this.#settled) return;
    await this.queue.publishDead(this.msg, reason, this.id, this.faults + 1);
    await this.ack();
  }
}
