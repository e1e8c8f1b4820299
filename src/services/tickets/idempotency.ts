/**
 * The retry rule. A sender may give an `Idempotency-Key` header (the IETF httpapi draft's field); the
 * key is scoped to one deployment of the service (its schema), for as long as the ticket is kept.
 * - Same key, same body bytes: the same ticket; its id is returned and nothing new is stored.
 * - Same key, another body: refused (`key_reused`, the draft's 422); nothing is stored, and the sender
 *   learns it, so no ticket is lost silently.
 * - No key: every request is a new ticket (two identical receipts can be two sales).
 */
import { createHash } from 'node:crypto';

export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

// Visible ASCII: a key is an opaque token (a UUID, a hash, a counter), never free text.
const KEY = /^[\x21-\x7e]+$/;

export type KeyRead =
  | { readonly ok: true; readonly key: string | null }
  | { readonly ok: false; readonly detail: string };

/**
 * Reads the Idempotency-Key header value (undefined when absent). A present key must be 1-255
 * visible ASCII characters; an empty or invalid one is refused rather than ignored, since the sender
 * meant retries to be safe.
 */
export function readIdempotencyKey(header: string | undefined): KeyRead {
  if (header === undefined) return { ok: true, key: null };
  if (header.length > MAX_IDEMPOTENCY_KEY_CHARS) {
    return {
      ok: false,
      detail: `Idempotency-Key is ${header.length} characters, at most ${MAX_IDEMPOTENCY_KEY_CHARS}`,
    };
  }
  if (!KEY.test(header)) {
    return { ok: false, detail: 'Idempotency-Key must be 1-255 visible ASCII characters (no spaces)' };
  }
  return { ok: true, key: header };
}

/** SHA-256 of the body bytes: 32 bytes, stored beside the key to tell a retry from a reuse. */
export function bodyDigest(body: Uint8Array): Buffer {
  return createHash('sha256').update(body).digest();
}

/** What a second request with a stored ticket's key is: the same delivery again, or a reused key. */
export function replayKind(storedDigest: Uint8Array, digest: Uint8Array): 'replay' | 'key_reused' {
  return Buffer.compare(storedDigest, digest) === 0 ? 'replay' : 'key_reused';
}
