/**
 * The ticket variants of issue 11, end to end: each is POSTed to the service, acknowledged, parsed
 * by the workers, and read back through GET /tickets/:id with its status, lines, warnings and error.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { needService } from '../../testing/services.js';
import {
  getJson,
  postTicket,
  type RunningTickets,
  startTestTickets,
  type TicketBackends,
  ticketBackends,
  waitSettled,
} from './testing/harness.js';

const gate = await needService('postgres');

const HEAD = 'Order: 123456\nVAT: 3.10\nTotal: 16.90\n\n';
const COLS = 'product,product_id,price\n';
const SEED = `${HEAD}${COLS}Formule(s) midi,aZde,14.90\nCafé,IZ8z,2\n`;

interface Variant {
  readonly name: string;
  readonly body: string | Buffer;
  /** treated: [product_id, price] per kept line; error: the error kind. */
  readonly expect:
    | { status: 'treated'; lines: [string, string][]; warnings: string[] }
    | { status: 'error'; error: string; warnings?: string[] };
}

const SEED_LINES: [string, string][] = [
  ['aZde', '14.90'],
  ['IZ8z', '2.00'],
];

const VARIANTS: Variant[] = [
  { name: 'the seed ticket', body: SEED, expect: { status: 'treated', lines: SEED_LINES, warnings: [] } },
  {
    name: 'CRLF line endings',
    body: SEED.replaceAll('\n', '\r\n'),
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['crlf'] },
  },
  {
    name: 'a BOM',
    body: `\ufeff${SEED}`,
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['bom'] },
  },
  {
    name: 'a quoted field with a comma',
    body: `Order: 7\nTotal: 16.90\nVAT: 1\n\n${COLS}"Formule, midi",aZde,14.90\nCafé,IZ8z,2\n`,
    expect: { status: 'treated', lines: SEED_LINES, warnings: [] },
  },
  {
    name: 'a missing column',
    body: `${HEAD}${COLS}Formule(s) midi,aZde\nCafé,IZ8z,2\n`,
    expect: { status: 'treated', lines: [['IZ8z', '2.00']], warnings: ['missing_column', 'total_mismatch'] },
  },
  {
    name: 'an extra column',
    body: `${HEAD}${COLS}Formule(s) midi,aZde,14.90,promo\nCafé,IZ8z,2\n`,
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['extra_column'] },
  },
  {
    name: 'a comma decimal price, quoted',
    body: `${HEAD}${COLS}Formule(s) midi,aZde,"14,90"\nCafé,IZ8z,2\n`,
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['comma_decimal'] },
  },
  {
    name: 'a comma decimal price, unquoted',
    body: `${HEAD}${COLS}Formule(s) midi,aZde,14,90\nCafé,IZ8z,2\n`,
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['comma_decimal'] },
  },
  {
    name: 'empty lines',
    body: `${HEAD}\n${COLS}\nFormule(s) midi,aZde,14.90\n\nCafé,IZ8z,2\n\n`,
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['empty_line'] },
  },
  {
    name: 'unknown header keys, lowercase keys',
    body: `order: 123456\nvat: 3.10\nTOTAL: 16.90\nTill: 4\n\n${COLS}Formule(s) midi,aZde,14.90\nCafé,IZ8z,2\n`,
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['unknown_header'] },
  },
  {
    name: 'a truncated last row',
    body: `${HEAD}${COLS}Formule(s) midi,aZde,14.90\nCafé,IZ`,
    expect: { status: 'treated', lines: [['aZde', '14.90']], warnings: ['missing_column', 'total_mismatch'] },
  },
  {
    name: 'a body cut in the header',
    body: 'Order: 123456\nVAT: 3.1',
    expect: { status: 'error', error: 'no_lines' },
  },
  {
    name: 'Windows-1252 bytes',
    body: Buffer.from(`${HEAD}${COLS}Formule(s) midi,aZde,14.90\nCaf\xe9,IZ8z,2\n`, 'latin1'),
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['not_utf8'] },
  },
  {
    name: 'no Order',
    body: `VAT: 3.10\nTotal: 16.90\n\n${COLS}Café,IZ8z,2\n`,
    expect: { status: 'error', error: 'missing_order' },
  },
  {
    name: 'SQL in the Order',
    body: `Order: 1'; DROP TABLE tickets;--\n\n${COLS}Café,IZ8z,2\n`,
    expect: { status: 'error', error: 'bad_order' },
  },
  {
    name: 'every row bad',
    body: `${HEAD}${COLS}Café,IZ8z,deux\nThé,,3\n`,
    expect: { status: 'error', error: 'no_valid_lines', warnings: ['bad_price', 'missing_field'] },
  },
  {
    name: 'binary',
    body: Buffer.from([0x4f, 0x00, 0xff, 0x10, 0x00, 0x01]),
    expect: { status: 'error', error: 'binary' },
  },
  {
    name: 'a discount line and a formula',
    body: `Order: 9\nVAT: 0\nTotal: 12.90\n\n${COLS}Formule(s) midi,aZde,14.90\n=Remise,ReM1,-2.00\n`,
    expect: {
      status: 'treated',
      lines: [
        ['aZde', '14.90'],
        ['ReM1', '-2.00'],
      ],
      warnings: ['negative_price', 'formula_prefix'],
    },
  },
  {
    name: 'no column row',
    body: `${HEAD}Formule(s) midi,aZde,14.90\nCafé,IZ8z,2\n`,
    expect: { status: 'treated', lines: SEED_LINES, warnings: ['no_column_row'] },
  },
];

let backends: TicketBackends;
let svc: RunningTickets;
before(async () => {
  if (gate.skip) return;
  backends = ticketBackends('tk_variants');
  svc = await startTestTickets(backends);
});
after(async () => {
  if (gate.skip) return;
  await svc.close();
  await backends.cleanup();
});

test(`variants: ${VARIANTS.length} tickets, each stored, parsed and explained`, {
  skip: gate.skip,
}, async () => {
  assert.ok(VARIANTS.length >= 15);
  const ids = await Promise.all(
    VARIANTS.map(async (v) => {
      const ack = await postTicket(svc.url, v.body);
      assert.equal(ack.status, 202, v.name);
      return String(ack.json.id);
    }),
  );
  assert.ok(await waitSettled(backends.schema, 15_000), 'every variant is parsed');
  for (const [i, v] of VARIANTS.entries()) {
    const { json } = await getJson(svc.url, `/tickets/${ids[i]}`);
    const kinds = new Set((json.warnings as { kind: string }[]).map((w) => w.kind));
    assert.equal(json.status, v.expect.status, `${v.name}: ${JSON.stringify(json)}`);
    if (v.expect.status === 'treated') {
      const lines = (json.lines as { product_id: string; price: string }[]).map((l) => [
        l.product_id,
        l.price,
      ]);
      assert.deepEqual(lines, v.expect.lines, v.name);
      assert.deepEqual([...kinds].sort(), [...v.expect.warnings].sort(), `${v.name}: warnings`);
      assert.equal(json.error, null);
    } else {
      const error = json.error as { kind: string; detail: string };
      assert.equal(error.kind, v.expect.error, v.name);
      assert.ok(error.detail.length > 0, `${v.name}: the error says why`);
      for (const w of v.expect.warnings ?? []) assert.ok(kinds.has(w), `${v.name}: warning ${w}`);
    }
  }
});
