import type { Codec } from '../../../platform/queue/types.js';
import type { Order } from '../domain/order.js';
import { isUsername } from '../domain/validate.js';

interface Wire {
  id: string;
  product_id: number;
  count: number;
  username: string;
  accepted_at: number;
}

const decoder = new TextDecoder();

/**
 * An order as a queue message: JSON, with the same field names as the HTTP body and the table.
 * Written field by field (strings through JSON.stringify, so any text is escaped; numbers are the
 * validated integers and epoch ms): half the cost of stringifying a fresh wire object, one encode
 * per accepted order. Buffer.from rather than TextEncoder: it encodes into Node's pooled slab
 * instead of a fresh allocation, about 1 µs less per order on this machine.
 */
export function encodeOrder(o: Order): Uint8Array {
  const json = `{"id":${JSON.stringify(o.id)},"product_id":${num(o.productId)},"count":${num(o.count)},"username":${JSON.stringify(o.username)},"accepted_at":${num(o.acceptedAt)}}`;
  return Buffer.from(json, 'utf8');
}

/** A number as JSON writes it (a non-finite one as null, which decodeOrder then refuses). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * Throws on a message that is not an order (it then goes to the dead-letter stream). Checks what
 * the HTTP validator checks, so a message that bypassed the intake cannot poison a batch insert.
 */
export function decodeOrder(w: unknown): Order {
  const o = w as Partial<Wire> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.id !== 'string' ||
    o.id.length === 0 ||
    typeof o.product_id !== 'number' ||
    typeof o.count !== 'number' ||
    !isUsername(o.username) ||
    typeof o.accepted_at !== 'number' ||
    !Number.isFinite(o.accepted_at) ||
    !Number.isInteger(o.product_id) ||
    !Number.isInteger(o.count) ||
    o.product_id < 0 ||
    o.product_id > 100 ||
    o.count < 0 ||
    o.count > 100
  ) {
    throw new Error('message is not an order');
  }
  return {
    id: o.id,
    productId: o.product_id,
    count: o.count,
    username: o.username,
    acceptedAt: o.accepted_at,
  };
}

/** Orders on a queue: JSON bytes in, a checked Order out (decode throws on anything else). */
export const ORDER_CODEC: Codec<Order> = {
  encode: encodeOrder,
  decode: (data) => decodeOrder(JSON.parse(decoder.decode(data))),
};
