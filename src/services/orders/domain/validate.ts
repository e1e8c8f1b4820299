import type { OrderInput } from './order.js';

const FIELDS = 3;
const MAX_USERNAME = 64;
const DECIMAL = /^\d{1,3}$/;

/** 0..100 as a JSON integer or a plain decimal string ("33"); nothing looser ("1e2", " 5", "5.0"). */
function smallInt(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && DECIMAL.test(v)) n = Number(v);
  else return undefined;
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : undefined;
}

/**
 * Non-empty, at most 64 characters (code points, so an emoji counts once), and no C0 control
 * characters or DEL: Postgres refuses NUL in text (SQLSTATE 22021), and one such row would fail
 * the whole group-committed batch it joins.
 */
export function isUsername(v: unknown): v is string {
  // A code point is at most 2 UTF-16 units: longer strings are over the limit, unscanned.
  if (typeof v !== 'string' || v.length === 0 || v.length > 2 * MAX_USERNAME) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  if (v.length <= MAX_USERNAME) return true;
  // Only long UTF-16 strings need the slower code-point count.
  let points = 0;
  for (const _ of v) if (++points > MAX_USERNAME) return false;
  return true;
}

/**
 * Checks a parsed JSON body against the order contract. Returns undefined for anything invalid:
 * a wrong type, a value out of range, a missing field or any extra field.
 */
export function parseOrderInput(body: unknown): OrderInput | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const o = body as Record<string, unknown>;
  if (Object.keys(o).length !== FIELDS) return undefined;
  if (!Object.hasOwn(o, 'product_id') || !Object.hasOwn(o, 'count') || !Object.hasOwn(o, 'username')) {
    return undefined;
  }
  const productId = smallInt(o.product_id);
  const count = smallInt(o.count);
  const name = o.username;
  if (productId === undefined || count === undefined || !isUsername(name)) return undefined;
  return { productId, count, username: name };
}
