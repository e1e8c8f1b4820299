/** The Idempotency-Key rule: what a key may be, and what a second request with it is. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyDigest, readIdempotencyKey, replayKind } from './idempotency.js';

test('idempotency: no header is no key; a key is 1-255 visible ASCII characters', () => {
  assert.deepEqual(readIdempotencyKey(undefined), { ok: true, key: null });
  for (const key of [
    'a',
    '8e0f3c1e-5b1a-4d7e-9c1a-2f3b4c5d6e7f',
    'till-3:order-123456:try',
    'k'.repeat(255),
  ]) {
    assert.deepEqual(readIdempotencyKey(key), { ok: true, key });
  }
  for (const bad of ['', ' ', 'has space', 'tab\there', 'é', 'k'.repeat(256), 'nul\u0000']) {
    assert.equal(readIdempotencyKey(bad).ok, false, JSON.stringify(bad.slice(0, 20)));
  }
});

test('idempotency: the same body again is a replay; another body under the key is a reuse', () => {
  const body = Buffer.from('Order: 1\n\nproduct,product_id,price\na,A,1\n');
  const digest = bodyDigest(body);
  assert.equal(digest.length, 32);
  assert.equal(replayKind(digest, bodyDigest(Buffer.from(body))), 'replay');
  assert.equal(replayKind(digest, bodyDigest(Buffer.concat([body, Buffer.from('\n')]))), 'key_reused');
});
