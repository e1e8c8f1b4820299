/** The X-Signature rule: accept, reject, malformed, wrong algorithm, empty secret. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { isPeaklabError } from '../../shared/errors.js';
import { signatureVerifier, signBody } from './signature.js';

const SECRET = 'till-secret';
const BODY = Buffer.from('Order: 1\n\nproduct,product_id,price\nCafé,IZ8z,2\n');
// Computed independently of signBody, so a bug there cannot hide one in verify.
const GOOD = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;

test('signature: the HMAC of the exact body bytes is accepted, in any hex case, with spaces around', () => {
  const v = signatureVerifier(SECRET);
  assert.equal(signBody(SECRET, BODY), GOOD);
  assert.deepEqual(v.verify(BODY, GOOD), { ok: true });
  assert.deepEqual(v.verify(BODY, GOOD.toUpperCase()), { ok: true }, 'SHA256=<HEX>');
  assert.deepEqual(v.verify(BODY, ` ${GOOD} `), { ok: true });
});

test('signature: another body, another secret, or a flipped bit is a mismatch', () => {
  const v = signatureVerifier(SECRET);
  const reason = (body: Uint8Array, header: string) => {
    const r = v.verify(body, header);
    return r.ok ? 'ok' : r.reason;
  };
  assert.equal(reason(Buffer.concat([BODY, Buffer.from(' ')]), GOOD), 'mismatch');
  assert.equal(reason(BODY, signBody('other-secret', BODY)), 'mismatch');
  const last = GOOD.at(-1) === '0' ? '1' : '0';
  assert.equal(reason(BODY, GOOD.slice(0, -1) + last), 'mismatch');
  // The body is hashed as bytes: the same text re-encoded is another body.
  assert.equal(reason(Buffer.from(BODY.toString('utf8'), 'latin1'), GOOD), 'mismatch');
});

test('signature: missing and malformed headers', () => {
  const v = signatureVerifier(SECRET);
  const hex = GOOD.slice('sha256='.length);
  const cases: [string | undefined, string][] = [
    [undefined, 'missing'],
    ['', 'missing'],
    ['   ', 'missing'],
    [hex, 'malformed'],
    [`=${hex}`, 'malformed'],
    ['sha256=', 'malformed'],
    [`sha256=${hex.slice(0, 63)}`, 'malformed'],
    [`sha256=${hex}00`, 'malformed'],
    [`sha256=${'z'.repeat(64)}`, 'malformed'],
    [`sha256=${hex},sha256=${hex}`, 'malformed'],
    [`sha256=${'a'.repeat(10_000)}`, 'malformed'],
  ];
  for (const [header, want] of cases) {
    const r = v.verify(BODY, header);
    assert.equal(r.ok ? 'ok' : r.reason, want, String(header).slice(0, 80));
  }
});

test('signature: another algorithm is refused by name', () => {
  const v = signatureVerifier(SECRET);
  const sha1 = `sha1=${createHmac('sha1', SECRET).update(BODY).digest('hex')}`;
  const r = v.verify(BODY, sha1);
  assert.deepEqual(r, {
    ok: false,
    reason: 'wrong_algorithm',
    detail: 'X-Signature uses "sha1", not sha256',
  });
  const md5 = v.verify(BODY, `md5=${'0'.repeat(32)}`);
  assert.equal(md5.ok ? 'ok' : md5.reason, 'wrong_algorithm');
});

test('signature: an empty secret is a configuration error, not a verifier that checks nothing', () => {
  assert.throws(
    () => signatureVerifier(''),
    (err: unknown) => isPeaklabError(err, 'PL_CONFIG_INVALID') && /secret is empty/.test(err.message),
  );
});

test('signature: an empty body has a signature too', () => {
  const v = signatureVerifier(SECRET);
  assert.deepEqual(v.verify(Buffer.alloc(0), signBody(SECRET, '')), { ok: true });
});
