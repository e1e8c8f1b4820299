/**
 * The webhook signature rule: with a secret configured, a ticket must carry
 * `X-Signature: sha256=<hex HMAC-SHA256 of the raw body under the secret>`, the form GitHub and
 * Stripe-style webhooks use. The body is hashed exactly as received, before any decoding.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PeaklabError } from '../../shared/errors.js';

export type SignatureCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** missing: no header; malformed: not `<algorithm>=<64 hex>`; wrong_algorithm: not sha256; mismatch: another HMAC. */
      readonly reason: 'missing' | 'malformed' | 'wrong_algorithm' | 'mismatch';
      readonly detail: string;
    };

export interface SignatureVerifier {
  /** Checks `header` (the X-Signature value, undefined when absent) against `body`. Never throws. */
  verify(body: Uint8Array, header: string | undefined): SignatureCheck;
}

const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;
// No real signature is longer; a longer header is refused before any parsing.
const MAX_HEADER_CHARS = 128;

/**
 * A verifier for `secret` (its UTF-8 bytes are the HMAC key). Throws PL_CONFIG_INVALID for an empty
 * secret: anyone can compute an HMAC under an empty key, so it would check nothing.
 */
export function signatureVerifier(secret: string): SignatureVerifier {
  if (secret === '') {
    throw new PeaklabError(
      'PL_CONFIG_INVALID',
      'the ticket signing secret is empty; give a secret or none at all',
    );
  }
  const key = Buffer.from(secret, 'utf8');
  return {
    verify(body, header) {
      if (header === undefined || header.trim() === '') {
        return { ok: false, reason: 'missing', detail: 'no X-Signature header' };
      }
      if (header.length > MAX_HEADER_CHARS) {
        return { ok: false, reason: 'malformed', detail: `X-Signature is ${header.length} characters long` };
      }
      const text = header.trim();
      const eq = text.indexOf('=');
      if (eq <= 0) return { ok: false, reason: 'malformed', detail: 'X-Signature is not "sha256=<hex>"' };
      const algorithm = text.slice(0, eq).toLowerCase();
      if (algorithm !== 'sha256') {
        return {
          ok: false,
          reason: 'wrong_algorithm',
          detail: `X-Signature uses ${JSON.stringify(algorithm)}, not sha256`,
        };
      }
      const hex = text.slice(eq + 1);
      if (!HEX_DIGEST.test(hex)) {
        return {
          ok: false,
          reason: 'malformed',
          detail: 'the sha256 signature is not 64 hexadecimal digits',
        };
      }
      const expected = createHmac('sha256', key).update(body).digest();
      // Both are 32 bytes here, so timingSafeEqual compares in constant time and cannot throw.
      if (!timingSafeEqual(expected, Buffer.from(hex, 'hex'))) {
        return { ok: false, reason: 'mismatch', detail: 'the signature does not match the body' };
      }
      return { ok: true };
    },
  };
}

/** The X-Signature value for `body` under `secret`: `sha256=<64 lowercase hex>`. For senders and tests. */
export function signBody(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')}`;
}
