/**
 * The query parameters of POST /checkout and POST /purchase, checked before anything is touched.
 * A query is the transport's parsed query string: each key maps to a string, or to an array of
 * strings when the key is repeated.
 */
export type Query = Readonly<Record<string, unknown>>;

/** A user id: a positive whole number up to 2^53 - 1, written without a sign or leading zeros. */
const USER_ID = /^[1-9][0-9]{0,15}$/;
/** An item number: written as a whole number, possibly negative, without leading zeros. */
const ITEM_NUMBER = /^(?:0|-?[1-9][0-9]*)$/;
/** A code as the service issues it: 32 lowercase hex digits. */
const CODE = /^[0-9a-f]{32}$/;

/** True when `query` has exactly the keys in `keys`, each once (a repeated key is an array). */
function hasExactly(query: Query, keys: readonly string[]): boolean {
  const own = Object.keys(query);
  if (own.length !== keys.length) return false;
  for (const k of keys) if (typeof query[k] !== 'string') return false;
  return true;
}

export type CheckoutParams =
  | { readonly ok: true; readonly user: string; readonly item: number }
  | { readonly ok: false };

const INVALID = { ok: false } as const;

/**
 * `user_id=U&id=I` and nothing else. U: a user id (see USER_ID), kept as its decimal text so no
 * precision is lost. I: a whole number; one outside 1..items is still well formed (the caller
 * answers item_not_found), and one too long to be any item comes back as Infinity.
 */
export function parseCheckout(query: Query): CheckoutParams {
  if (!hasExactly(query, ['user_id', 'id'])) return INVALID;
  const user = query.user_id as string;
  const item = query.id as string;
  if (!USER_ID.test(user) || !Number.isSafeInteger(Number(user))) return INVALID;
  if (!ITEM_NUMBER.test(item)) return INVALID;
  const n = item.length > 15 ? Number.POSITIVE_INFINITY : Number(item);
  return { ok: true, user, item: n };
}

export type PurchaseParams =
  | { readonly ok: true; readonly code: string }
  | { readonly ok: false; readonly malformed: boolean };

/**
 * `code=C` and nothing else. A C that cannot be a code the service issued is `malformed` (the
 * caller answers code_not_found without asking any store); a missing code or other keys are not.
 */
export function parsePurchase(query: Query): PurchaseParams {
  if (!hasExactly(query, ['code'])) return { ok: false, malformed: false };
  const code = query.code as string;
  return CODE.test(code) ? { ok: true, code } : { ok: false, malformed: true };
}
