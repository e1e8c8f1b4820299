import { createHash, randomUUID } from 'node:crypto';

/** One accepted order: what the client sent, plus the id and the moment it was accepted. */
export interface Order {
  readonly id: string;
  readonly productId: number;
  readonly count: number;
  readonly username: string;
  /** Epoch milliseconds when the intake accepted it. */
  readonly acceptedAt: number;
}

/** What the client sent, once validated. */
export interface OrderInput {
  readonly productId: number;
  readonly count: number;
  readonly username: string;
}

/** A processed order as stored: one row per id. */
export interface StoredOrder extends Order {
  readonly processedAt: number;
  readonly attempts: number;
}

/**
 * An Idempotency-Key maps to a fixed id, so a retry gets the same id from any intake process,
 * JetStream dedupes it by Nats-Msg-Id, and the primary key refuses a second row. The key is scoped
 * by the username: two users who happen to pick the same key get two orders. The NUL separator is
 * unambiguous because a valid username never contains one.
 */
export function orderId(username: string, idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  const hex = createHash('sha256').update(username).update('\0').update(idempotencyKey).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
