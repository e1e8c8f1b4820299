import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOrderInput } from './validate.js';

test('validate: numbers and decimal strings 0..100 are accepted and converted', () => {
  assert.deepEqual(parseOrderInput({ product_id: '33', count: 3, username: 'm' }), {
    productId: 33,
    count: 3,
    username: 'm',
  });
  assert.deepEqual(parseOrderInput({ product_id: 0, count: '100', username: 'x'.repeat(64) }), {
    productId: 0,
    count: 100,
    username: 'x'.repeat(64),
  });
});

test('validate: loose numbers, wrong shapes and extra keys are rejected', () => {
  const base = { product_id: 1, count: 1, username: 'u' };
  for (const product_id of [
    '1e2',
    ' 5',
    '5.0',
    5.5,
    -1,
    101,
    Number.NaN,
    null,
    [1],
    { v: 1 },
    '',
    '1000',
    true,
  ]) {
    assert.equal(parseOrderInput({ ...base, product_id }), undefined, JSON.stringify(product_id));
  }
  assert.equal(parseOrderInput({ ...base, username: 'x'.repeat(65) }), undefined);
  assert.equal(parseOrderInput({ ...base, username: '' }), undefined);
  for (const username of [
    'a\u0000b',
    '\u0000',
    'a\u0001',
    '\tx',
    'x\n',
    '\u001f',
    'a\u007f',
    `${'🙂'.repeat(63)}\u0000`,
  ]) {
    assert.equal(parseOrderInput({ ...base, username }), undefined, JSON.stringify(username));
  }
  assert.equal(parseOrderInput({ ...base, extra: 1 }), undefined);
  assert.equal(parseOrderInput({ product_id: 1, count: 1 }), undefined);
  assert.equal(
    parseOrderInput(Object.assign(Object.create({ username: 'u' }), { product_id: 1, count: 1, x: 1 })),
    undefined,
  );
  for (const body of [null, [], 'x', 5, undefined]) assert.equal(parseOrderInput(body), undefined);
});

test('validate: printable Unicode usernames (C1 range and non-Latin included) are accepted', () => {
  for (const username of ['Максим "Кот" \\ 東京', 'a b', '\u0080\u009f', '~', '🙂'.repeat(64)]) {
    assert.equal(parseOrderInput({ product_id: 1, count: 1, username })?.username, username);
  }
});
