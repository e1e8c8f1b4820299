/**
 * The parser's limits at their edges, the warning cap, the cost of the worst bodies relative to
 * csv-parse itself, and a seeded fuzz that checks the result's invariants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { parseTicket } from './parse.js';
import { LONG_LINE, MIB, noise, ticket } from './testing/bodies.js';
import { summarize } from './testing/summary.js';
import { LIMITS } from './ticket.js';

test('parse (hostile): at most 1000 rows; 1001 is an error; 5001 body lines are refused unread', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `p${i},P${i},0.00`);
  const ok = parseTicket(ticket(rows(LIMITS.maxLines), 'Order: 1\n'));
  assert.equal(ok.ok && ok.ticket.lines.length, 1000);
  assert.deepEqual(summarize(parseTicket(ticket(rows(LIMITS.maxLines + 1), 'Order: 1\n'))), {
    ok: false,
    error: 'too_many_lines',
    order: '1',
    warnings: ['missing_header', 'missing_header'],
  });
  const blank = `Order: 1\n\nproduct,product_id,price\na,A,1${'\n'.repeat(LIMITS.maxBodyLines)}`;
  assert.deepEqual(summarize(parseTicket(blank)), { ok: false, error: 'too_many_lines', warnings: [] });
});

test('parse (hostile): warnings stop at 100, the rest are counted', () => {
  const bad = Array.from({ length: 150 }, (_, i) => `p${i},P${i}`);
  const r = parseTicket(ticket([...bad, 'ok,OK,1.00']));
  assert.ok(r.ok);
  assert.equal(r.ticket.warnings.length, LIMITS.maxWarnings + 1);
  const last = r.ticket.warnings.at(-1);
  assert.deepEqual(last, { kind: 'warnings_truncated', detail: '50 more warning(s) were not kept' });
});

test('parse (hostile): the worst bodies cost at most 3x csv-parse reading 1 MiB of plain CSV', () => {
  // A ratio to a reference measured in this run, so a busy machine slows both sides alike.
  const best = (fn: () => unknown) => {
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      fn();
      min = Math.min(min, performance.now() - started);
    }
    return min;
  };
  const plain = 'Formule(s) midi,aZde,14.90\n'.repeat(Math.floor(MIB / 27));
  const reference = best(() =>
    parse(plain, { record_delimiter: '\n', relax_column_count: true, relax_quotes: true }),
  );
  const csv = (rows: string) => `Order: 1\n\nproduct,product_id,price\n${rows}`;
  const worst: [string, string | Buffer][] = [
    ['a 1 MiB line', LONG_LINE],
    ['a 1 MiB line of commas', ','.repeat(MIB - 100)],
    ['2400 lines opening a quote', csv('"\n'.repeat(2400))],
    ['1000 lines of 1 KB opening a quote', csv(`"${'x'.repeat(1000)}\n`.repeat(1000))],
    ['250 lines of 4 KB opening a quote', csv(`"${'x,'.repeat(15)}${'x'.repeat(4000)}\n`.repeat(250))],
    ['250 lines of 2000 fields', csv(`${'y,'.repeat(2000)}\n`.repeat(250))],
    ['1000 lines of 31 fields', csv(`${'y,'.repeat(30)}\n`.repeat(1000))],
    ['1000 valid rows of 1 KB', csv(`${'p'.repeat(1000)},${'i'.repeat(40)},1.00\n`.repeat(1000))],
    ['200,000 header lines', 'a: b\n'.repeat(200_000)],
    ['1 MiB of noise', noise(3, MIB)],
  ];
  for (const [name, body] of worst) {
    const ms = best(() => parseTicket(body));
    // Measured at 0.05-1.3x the reference; 3x leaves room for noise, not for a blow-up.
    assert.ok(ms < 3 * reference, `${name}: ${ms.toFixed(0)} ms, reference ${reference.toFixed(0)} ms`);
  }
});

test('parse (hostile): 3000 seeded random bodies never throw and keep the invariants', () => {
  const pieces = [
    'Order: 7',
    'VAT: 1,5',
    'Total: 9',
    'x: y',
    '',
    'product,product_id,price',
    'a,A,1',
    '"q,Q,2',
    'é,É,0,5',
  ];
  const extras = ['"', ',', '\r', '\n', '\u0000', '\ufeff', '\u00ff', ';', ' ', '\t', '-', '='];
  let x = 12345;
  const next = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  for (let i = 0; i < 3000; i++) {
    const parts: string[] = [];
    for (let j = next(12); j > 0; j--) {
      parts.push(
        next(3) === 0 ? (extras[next(extras.length)] as string) : (pieces[next(pieces.length)] as string),
      );
    }
    const body = parts.join(next(2) === 0 ? '\n' : '');
    const r = parseTicket(body);
    if (!r.ok) {
      assert.ok(r.error.detail.length > 0);
      continue;
    }
    assert.ok(r.ticket.lines.length >= 1, body);
    for (const l of r.ticket.lines) {
      assert.ok(Number.isSafeInteger(l.priceCents), body);
      assert.ok(l.product !== '' && l.productId !== '', body);
      const text = l.product + l.productId;
      for (let k = 0; k < text.length; k++) {
        const c = text.charCodeAt(k);
        assert.ok(
          c >= 0x20 && (c < 0x7f || c > 0x9f),
          `control character ${c} kept from ${JSON.stringify(body)}`,
        );
      }
    }
  }
});
