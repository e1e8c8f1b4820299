import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeOrder, encodeOrder } from './order-codec.js';

const ORDER = { id: 'a1', productId: 3, count: 4, username: 'Максим', acceptedAt: 1_700_000_000_123 };
const wire = (patch: Record<string, unknown>) => ({
  id: 'a1',
  product_id: 3,
  count: 4,
  username: 'Максим',
  accepted_at: 1_700_000_000_123,
  ...patch,
});

test('order codec: round trip', () => {
  assert.deepEqual(decodeOrder(JSON.parse(new TextDecoder().decode(encodeOrder(ORDER)))), ORDER);
});

test('order codec: the bytes are exactly JSON.stringify of the wire object, whatever the text', () => {
  for (const username of ['Максим', 'a"b\\c', 'tab\there', '\u2028\ud83d\ude00', 'x'.repeat(64)]) {
    const order = { ...ORDER, username, id: `${username}:"k"` };
    const expected = JSON.stringify({
      id: order.id,
      product_id: 3,
      count: 4,
      username,
      accepted_at: 1_700_000_000_123,
    });
    assert.equal(new TextDecoder().decode(encodeOrder(order)), expected);
  }
});

test('order codec: a message the HTTP validator would refuse is not an order', () => {
  for (const patch of [
    { username: 'a\u0000b' },
    { username: '\u0001' },
    { username: '' },
    { username: 'u'.repeat(65) },
    { username: 5 },
    { id: '' },
    { id: 1 },
    { product_id: 101 },
    { count: -1 },
    { count: 1.5 },
    { accepted_at: Number.POSITIVE_INFINITY },
    { accepted_at: '1' },
  ]) {
    assert.throws(() => decodeOrder(wire(patch)), /not an order/, JSON.stringify(patch));
  }
  for (const w of [null, 'x', [], 5]) assert.throws(() => decodeOrder(w), /not an order/);
});
