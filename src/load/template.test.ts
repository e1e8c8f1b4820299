import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { compileTemplate, usernameFor } from './template.js';

test('templates fill uuid, seq, int, pick and username per call', () => {
  const render = compileTemplate(
    '{"id":"{{uuid}}","n":{{seq}},"i":{{int 5 7}},"c":"{{pick a,b}}","u":"{{username}}"}',
    'body',
  );
  const seen = new Set<string>();
  for (let seq = 0; seq < 200; seq++) {
    const v = JSON.parse(render({ seq })) as { id: string; n: number; i: number; c: string; u: string };
    assert.match(v.id, /^[0-9a-f-]{36}$/);
    seen.add(v.id);
    assert.equal(v.n, seq);
    assert.ok(v.i >= 5 && v.i <= 7);
    assert.ok(v.c === 'a' || v.c === 'b');
    assert.equal(v.u, usernameFor(seq));
  }
  assert.equal(seen.size, 200);
});

test('username is stable per seq and varies across seqs', () => {
  assert.equal(usernameFor(42), usernameFor(42));
  const names = new Set(Array.from({ length: 100 }, (_, i) => usernameFor(i)));
  assert.ok(names.size > 90);
});

test('text without tags renders as itself; unknown tags are usage errors', () => {
  assert.equal(compileTemplate('plain', 'body')({ seq: 1 }), 'plain');
  assert.throws(
    () => compileTemplate('{{nope}}', 'body'),
    (e: unknown) => isPeaklabError(e, 'PL_USAGE'),
  );
  assert.throws(
    () => compileTemplate('{{int 9 1}}', 'body'),
    (e: unknown) => isPeaklabError(e, 'PL_USAGE'),
  );
});
