import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCheckout, parsePurchase } from './params.js';

test('checkout params: exactly user_id and id; a user id is a canonical positive safe integer', () => {
  assert.deepEqual(parseCheckout({ user_id: '42', id: '7' }), { ok: true, user: '42', item: 7 });
  assert.deepEqual(parseCheckout({ user_id: '9007199254740991', id: '1' }), {
    ok: true,
    user: '9007199254740991',
    item: 1,
  });
  for (const user of [
    '',
    '0',
    '-1',
    '007',
    '1.0',
    '1e3',
    ' 1',
    '9007199254740992',
    'x'.repeat(10_000),
    "1' OR '1'='1",
  ]) {
    assert.deepEqual(
      parseCheckout({ user_id: user, id: '1' }),
      { ok: false },
      `user_id ${JSON.stringify(user).slice(0, 20)}`,
    );
  }
  for (const query of [
    {},
    { user_id: '1' },
    { id: '1' },
    { user_id: '1', id: '1', x: '' },
    { user_id: ['1', '2'], id: '1' },
  ]) {
    assert.deepEqual(parseCheckout(query), { ok: false }, JSON.stringify(query));
  }
});

test('checkout params: an item number is any canonical whole number; out of range is for the caller', () => {
  assert.equal((parseCheckout({ user_id: '1', id: '0' }) as { item: number }).item, 0);
  assert.equal((parseCheckout({ user_id: '1', id: '-3' }) as { item: number }).item, -3);
  assert.equal(
    (parseCheckout({ user_id: '1', id: '123456789012345678901234567890' }) as { item: number }).item,
    Number.POSITIVE_INFINITY,
  );
  for (const id of ['', '01', '-0', '1.5', '1e2', '0x10', '+1', 'one', '1;DROP TABLE purchases']) {
    assert.deepEqual(parseCheckout({ user_id: '1', id }), { ok: false }, `id ${id}`);
  }
});

test('purchase params: a code is 32 lowercase hex digits; anything else is malformed, not invalid', () => {
  const code = 'a'.repeat(32);
  assert.deepEqual(parsePurchase({ code }), { ok: true, code });
  for (const bad of ['', 'A'.repeat(32), 'a'.repeat(31), 'a'.repeat(33), "' OR 1=1 --"]) {
    assert.deepEqual(parsePurchase({ code: bad }), { ok: false, malformed: true });
  }
  for (const query of [{}, { code, x: '1' }, { code: [code, code] }]) {
    assert.deepEqual(parsePurchase(query), { ok: false, malformed: false });
  }
});
