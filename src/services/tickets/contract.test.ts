import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { withPg } from '../../testing/backends.js';
import { metricValue, scrape, seriesValue } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { signBody } from './signature.js';
import {
  getJson,
  postTicket,
  type RunningTickets,
  startTestTickets,
  storedCounts,
  type TicketBackends,
  ticketBackends,
  waitSettled,
} from './testing/harness.js';
import { SEED_TICKET } from './testing/summary.js';

const gate = await needService('postgres');
let backends: TicketBackends;
let svc: RunningTickets;

before(async () => {
  if (gate.skip) return;
  backends = ticketBackends('tk_contract');
  svc = await startTestTickets(backends);
});
after(async () => {
  if (gate.skip) return;
  await svc.close();
  await backends.cleanup();
});

test('contract: ping, 202 then treated, the product, 404s and 405', { skip: gate.skip }, async () => {
  const ping = await fetch(`${svc.url}/ping`);
  assert.equal(ping.status, 200);
  assert.equal(await ping.text(), 'Pong');

  const ack = await postTicket(svc.url, SEED_TICKET);
  assert.equal(ack.status, 202);
  assert.equal(ack.json.status, 'received');
  assert.match(String(ack.json.id), /^[0-9a-f-]{36}$/);
  assert.ok(await waitSettled(backends.schema, 10_000), 'treated behind the acknowledgement');
  const ticket = await getJson(svc.url, `/tickets/${ack.json.id}`);
  assert.equal(ticket.status, 200);
  assert.equal(ticket.json.status, 'treated');
  assert.equal(ticket.json.order, '123456');
  assert.equal(ticket.json.vat, '3.10');
  assert.equal(ticket.json.total, '16.90');
  assert.deepEqual(
    (ticket.json.lines as { product_id: string; price: string }[]).map((l) => [l.product_id, l.price]),
    [
      ['aZde', '14.90'],
      ['IZ8z', '2.00'],
    ],
  );
  assert.deepEqual(ticket.json.warnings, []);
  assert.equal(ticket.json.error, null);

  const product = await getJson(svc.url, '/products/IZ8z');
  assert.equal(product.status, 200);
  assert.equal(product.json.name, 'Café');
  assert.equal(product.json.price, '2.00');
  assert.ok(!Number.isNaN(Date.parse(String(product.json.last_seen_at))));

  assert.equal((await getJson(svc.url, '/tickets/00000000-0000-4000-8000-000000000000')).status, 404);
  assert.equal((await getJson(svc.url, '/tickets/not-a-uuid')).status, 404);
  assert.equal((await getJson(svc.url, '/products/nope')).status, 404);
  assert.equal((await getJson(svc.url, `/products/${'x'.repeat(65)}`)).status, 404);
  const wrong = await fetch(`${svc.url}/ticket`);
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'POST');
});

test('contract: 400 empty, 413 over 1 MiB, nothing stored for either', { skip: gate.skip }, async () => {
  const before = (await storedCounts(backends.schema)).rows;
  for (const body of ['', '  \r\n\n\t ']) {
    const r = await postTicket(svc.url, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error, 'empty');
  }
  const big = await postTicket(svc.url, Buffer.alloc(1024 * 1024 + 1, 0x61));
  assert.equal(big.status, 413);
  assert.equal(big.json.error, 'too_large');
  // Exactly 1 MiB is within the limit: stored, then an error ticket (no Order).
  const edge = await postTicket(svc.url, Buffer.alloc(1024 * 1024, 0x61));
  assert.equal(edge.status, 202);
  assert.equal((await storedCounts(backends.schema)).rows, before + 1);
});

test('contract: Idempotency-Key replays the same id, refuses reuse and bad keys', {
  skip: gate.skip,
}, async () => {
  const before = (await storedCounts(backends.schema)).rows;
  const key = { 'idempotency-key': `k-${Date.now()}` };
  const first = await postTicket(svc.url, SEED_TICKET, key);
  const again = await postTicket(svc.url, SEED_TICKET, key);
  assert.equal(first.status, 202);
  assert.equal(again.status, 202);
  assert.equal(again.json.id, first.json.id);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  // Concurrent retries of one delivery: one ticket.
  const racing = { 'idempotency-key': `race-${Date.now()}` };
  const ids = new Set(
    (await Promise.all(Array.from({ length: 8 }, () => postTicket(svc.url, SEED_TICKET, racing)))).map(
      (a) => a.json.id,
    ),
  );
  assert.equal(ids.size, 1);
  const reused = await postTicket(svc.url, `${SEED_TICKET}Extra,x1,1\n`, key);
  assert.equal(reused.status, 422);
  assert.equal(reused.json.error, 'idempotency_key_reused');
  assert.equal(reused.json.id, first.json.id);
  for (const bad of ['has space', 'x'.repeat(256), 'é']) {
    const r = await postTicket(svc.url, SEED_TICKET, { 'idempotency-key': bad });
    assert.equal(r.status, 400, bad.slice(0, 20));
    assert.equal(r.json.error, 'bad_idempotency_key');
  }
  assert.equal((await storedCounts(backends.schema)).rows, before + 2);
});

test('contract: the latest ticket sets the price, under concurrent upserts', {
  skip: gate.skip,
}, async () => {
  const body = (cents: number) =>
    `Order: P${cents}\n\nproduct,product_id,price\nLatte,LaTe,${(cents / 100).toFixed(2)}\nCafé,IZ8z,2\n`;
  const acks = await Promise.all(Array.from({ length: 60 }, (_, i) => postTicket(svc.url, body(100 + i))));
  assert.ok(acks.every((a) => a.status === 202));
  // Acknowledged after all of those: its seq is the highest, so its price must win.
  const last = await postTicket(svc.url, body(999));
  assert.equal(last.status, 202);
  assert.ok(await waitSettled(backends.schema, 15_000));
  const product = await getJson(svc.url, '/products/LaTe');
  assert.equal(product.json.price, '9.99');
  assert.equal(product.json.last_ticket_id, last.json.id);
});

test('contract: metrics count what Postgres holds', { skip: gate.skip }, async () => {
  assert.ok(await waitSettled(backends.schema, 15_000));
  const counts = await storedCounts(backends.schema);
  const text = await scrape(svc.url);
  assert.equal(metricValue(text, 'tickets_received_total'), counts.rows);
  assert.equal(metricValue(text, 'tickets_processed_total{status="treated"}'), counts.treated);
  assert.equal(metricValue(text, 'tickets_processed_total{status="error"}'), counts.error);
  assert.equal(metricValue(text, 'tickets_backlog'), 0);
  assert.ok(metricValue(text, 'ticket_parse_warnings_total{kind="missing_header"}') > 0);
  assert.ok(seriesValue(text, 'http_requests_total', { route: '/ticket', status: '202' }) > 0);
  assert.equal(metricValue(text, 'tickets_refused_total{reason="empty"}'), 2);
});

test('hostile: binary, garbage HTTP, repeated and oversized headers', { skip: gate.skip }, async () => {
  const binary = await postTicket(svc.url, Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]), {
    'content-type': 'application/octet-stream',
  });
  assert.equal(binary.status, 202, 'kept: a receipt is never thrown away');
  assert.ok(await waitSettled(backends.schema, 10_000));
  const stored = await getJson(svc.url, `/tickets/${binary.json.id}`);
  assert.equal(stored.json.status, 'error');
  assert.equal((stored.json.error as { kind: string }).kind, 'binary');

  const raw = (text: string) =>
    new Promise<string>((resolve) => {
      const { port } = new URL(svc.url);
      const s = connect(Number(port), '127.0.0.1');
      let got = '';
      s.on('data', (d) => {
        got += d.toString('latin1');
      });
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      s.setTimeout(5000, () => s.destroy());
      s.end(text);
    });
  assert.match(await raw('\x00\x01garbage\r\n\r\n'), /^HTTP\/1\.1 400/);
  const twoKeys = await raw(
    'POST /ticket HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
  );
  assert.match(twoKeys, /^HTTP\/1\.1 400/);
  assert.match(twoKeys, /bad_idempotency_key/);
  const huge = await fetch(`${svc.url}/ticket`, {
    method: 'POST',
    headers: { 'x-junk': 'y'.repeat(20_000) },
    body: 'x',
  }).catch(() => undefined);
  assert.ok(huge === undefined || huge.status === 431, 'an oversized header is refused');
  const lying = await raw(
    'POST /ticket HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\nabc',
  );
  assert.match(lying, /^HTTP\/1\.1 413/);
  assert.equal((await fetch(`${svc.url}/ping`)).status, 200, 'still serving');
});

test('signature: with --secret, unsigned and wrong signatures get 401 and store nothing', {
  skip: gate.skip,
}, async () => {
  const signed = await startTestTickets(backends, { secret: 's3cret' });
  try {
    const before = (await storedCounts(backends.schema)).rows;
    const cases: [Record<string, string>, string][] = [
      [{}, 'signature_missing'],
      [{ 'x-signature': 'nonsense' }, 'signature_malformed'],
      [{ 'x-signature': `sha1=${'0'.repeat(40)}` }, 'signature_wrong_algorithm'],
      [{ 'x-signature': signBody('other', SEED_TICKET) }, 'signature_mismatch'],
      [{ 'x-signature': signBody('s3cret', `${SEED_TICKET} `) }, 'signature_mismatch'],
    ];
    for (const [headers, error] of cases) {
      const r = await postTicket(signed.url, SEED_TICKET, headers);
      assert.equal(r.status, 401, error);
      assert.equal(r.json.error, error);
    }
    // An empty body is checked for its signature first: unsigned callers learn nothing.
    assert.equal((await postTicket(signed.url, '')).status, 401);
    const ok = await postTicket(signed.url, SEED_TICKET, { 'x-signature': signBody('s3cret', SEED_TICKET) });
    assert.equal(ok.status, 202);
    assert.equal((await storedCounts(backends.schema)).rows, before + 1);
    const text = await scrape(signed.url);
    assert.equal(metricValue(text, 'tickets_refused_total{reason="signature"}'), cases.length + 1);
  } finally {
    await signed.close();
  }
});

test('store: the raw body is kept byte for byte', { skip: gate.skip }, async () => {
  const bytes = Buffer.from(`\ufeff${SEED_TICKET.replaceAll('\n', '\r\n')}`, 'utf8');
  const r = await postTicket(svc.url, bytes);
  const [row] = await withPg(
    async (c) =>
      (
        await c.query<{ body: Buffer }>(`SELECT body FROM "${backends.schema}".tickets WHERE id = $1`, [
          r.json.id,
        ])
      ).rows,
  );
  assert.ok(row && Buffer.compare(row.body, bytes) === 0);
});
