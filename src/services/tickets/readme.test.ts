/** README.md in this folder documents the registries; this keeps the two from drifting apart. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_KINDS, LIMITS, WARNING_KINDS } from './ticket.js';

const README = readFileSync(new URL('../../../../src/services/tickets/README.md', import.meta.url), 'utf8');

test('readme: every warning kind is in the table, kept or dropped as the registry says', () => {
  const rows = new Map(
    [...README.matchAll(/^\| `([a-z_0-9]+)` \| (kept|dropped) \|/gm)].map((m) => [m[1], m[2]]),
  );
  for (const [kind, { drops }] of Object.entries(WARNING_KINDS)) {
    assert.equal(rows.get(kind), drops ? 'dropped' : 'kept', kind);
  }
  assert.equal(rows.size, Object.keys(WARNING_KINDS).length, 'no kind in the README that the code lacks');
});

test('readme: every error kind and every limit is in its table', () => {
  for (const kind of Object.keys(ERROR_KINDS))
    assert.match(README, new RegExp(`^\\| \`${kind}\` \\| `, 'm'), kind);
  for (const [name, value] of Object.entries(LIMITS)) {
    assert.match(README, new RegExp(`^\\| \`${name}\` \\| ${value}\\b`, 'm'), `${name} = ${value}`);
  }
});
