/** The sample corpus: deterministic, the advertised mix, and every ticket parses as it says it will. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CorpusTicket, corpus, corpusTicket } from './corpus.js';
import { parseTicket } from './parse.js';
import { LIMITS } from './ticket.js';

const N = 4000;

test('corpus: a pure function of (seed, index)', () => {
  for (const i of [0, 1, 17, 2500, 99_999]) {
    assert.deepEqual(corpusTicket(42, i), corpusTicket(42, i));
  }
  const a = [...corpus(1, 50)].map((t) => t.body.toString('hex'));
  const b = [...corpus(2, 50)].map((t) => t.body.toString('hex'));
  assert.notDeepEqual(a, b, 'another seed, another corpus');
  assert.equal(new Set(a).size > 40, true, 'tickets differ from one another');
});

test('corpus: every ticket parses to what it declares', () => {
  for (const t of corpus(7, N)) {
    const r = parseTicket(t.body);
    const where = `ticket ${t.index} (${t.kind}/${t.variant}): ${JSON.stringify(t.body.toString('latin1').slice(0, 200))}`;
    assert.ok(t.body.length <= LIMITS.maxBodyBytes, where);
    if (t.expect.status === 'error') {
      assert.equal(r.ok ? 'treated' : r.error.kind, t.expect.error, where);
      continue;
    }
    assert.ok(r.ok, `${where} -> ${r.ok ? '' : r.error.kind}`);
    const kinds = new Set(r.ticket.warnings.map((w) => w.kind));
    if (t.kind === 'well_formed') assert.deepEqual([...kinds], [], where);
    for (const k of t.expect.warnings) assert.ok(kinds.has(k), `${where}: no ${k} in ${[...kinds]}`);
    if (t.variant !== 'missing_order' && t.variant !== 'bad_order')
      assert.equal(r.ticket.order, t.order, where);
  }
});

test('corpus: the default mix is about 70% well-formed, 25% messy, 5% broken, every variant present', () => {
  const byKind = new Map<string, number>();
  const variants = new Set<string>();
  for (const t of corpus(11, N)) {
    byKind.set(t.kind, (byKind.get(t.kind) ?? 0) + 1);
    variants.add(`${t.kind}/${t.variant}`);
  }
  const share = (k: CorpusTicket['kind']) => (byKind.get(k) ?? 0) / N;
  assert.ok(Math.abs(share('well_formed') - 0.7) < 0.03, `well-formed ${share('well_formed')}`);
  assert.ok(Math.abs(share('messy') - 0.25) < 0.03, `messy ${share('messy')}`);
  assert.ok(Math.abs(share('broken') - 0.05) < 0.015, `broken ${share('broken')}`);
  assert.equal(variants.size, 1 + 12 + 6, [...variants].sort().join(' '));
});

test('corpus: a custom mix, and a mix with no weight', () => {
  const kinds = new Set([...corpus(3, 200, { wellFormed: 0, messy: 0, broken: 1 })].map((t) => t.kind));
  assert.deepEqual([...kinds], ['broken']);
  assert.throws(() => corpusTicket(3, 0, { wellFormed: 0, messy: 0, broken: 0 }), RangeError);
});

test('corpus: prices drift every 2000 tickets, so the latest price differs from the first', () => {
  const price = (t: CorpusTicket) => {
    const r = parseTicket(t.body);
    return r.ok ? r.ticket.lines.find((l) => l.productId === 'IZ8z')?.priceCents : undefined;
  };
  const early = [...corpus(5, 2000)].map(price).find((p) => p !== undefined);
  const late = [...corpus(5, 2400)]
    .slice(2000)
    .map(price)
    .find((p) => p !== undefined);
  assert.deepEqual([early, late], [200, 210]);
});
