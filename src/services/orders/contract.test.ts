import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { type TestBackends, testBackends, withPg } from '../../testing/backends.js';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import type { RunningService } from './service.js';
import { GOOD_ORDER, postOrder, startTestService, storedOrders } from './testing/harness.js';

const pgGate = await needService('postgres');
const JSON_CT = { 'content-type': 'application/json' };
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** Each of these must be 400 {"result":"invalid"} and write nothing. */
const BAD: Array<[string, string, Record<string, string>?]> = [
  ['NaN literal', '{"product_id":NaN,"count":3,"username":"a"}'],
  ['"NaN" string', '{"product_id":"NaN","count":3,"username":"a"}'],
  ['"1e2" string', '{"product_id":"1e2","count":3,"username":"a"}'],
  ['leading space " 5"', '{"product_id":" 5","count":3,"username":"a"}'],
  ['trailing space "5 "', '{"product_id":"5 ","count":3,"username":"a"}'],
  ['"5.0" string', '{"product_id":"5.0","count":3,"username":"a"}'],
  ['"+5" string', '{"product_id":"+5","count":3,"username":"a"}'],
  ['"0x10" string', '{"product_id":"0x10","count":3,"username":"a"}'],
  ['empty string', '{"product_id":"","count":3,"username":"a"}'],
  ['float 5.5', '{"product_id":5.5,"count":3,"username":"a"}'],
  ['negative -1', '{"product_id":-1,"count":3,"username":"a"}'],
  ['negative "-1"', '{"product_id":"-1","count":3,"username":"a"}'],
  ['101', '{"product_id":101,"count":3,"username":"a"}'],
  ['"101"', '{"product_id":"101","count":3,"username":"a"}'],
  ['count 1e400 (Infinity)', '{"product_id":1,"count":1e400,"username":"a"}'],
  ['null', '{"product_id":null,"count":3,"username":"a"}'],
  ['boolean', '{"product_id":1,"count":true,"username":"a"}'],
  ['array', '{"product_id":[1],"count":3,"username":"a"}'],
  ['nested object', '{"product_id":{"v":1},"count":3,"username":"a"}'],
  ['missing product_id', '{"count":3,"username":"a"}'],
  ['missing username', '{"product_id":1,"count":3}'],
  ['empty username', '{"product_id":1,"count":3,"username":""}'],
  ['65-character username', JSON.stringify({ ...GOOD_ORDER, username: 'u'.repeat(65) })],
  ['65 emoji username', JSON.stringify({ ...GOOD_ORDER, username: '🙂'.repeat(65) })],
  ['username a number', '{"product_id":1,"count":3,"username":5}'],
  // Postgres refuses NUL in text (22021): one such row would fail its whole group-commit batch.
  ['NUL in username', '{"product_id":1,"count":3,"username":"a\\u0000b"}'],
  ['username only NUL', '{"product_id":1,"count":3,"username":"\\u0000"}'],
  ['control char U+0001 in username', '{"product_id":1,"count":3,"username":"a\\u0001"}'],
  ['newline in username', '{"product_id":1,"count":3,"username":"a\\nb"}'],
  ['U+001F in username', '{"product_id":1,"count":3,"username":"\\u001fa"}'],
  ['DEL in username', '{"product_id":1,"count":3,"username":"a\\u007f"}'],
  ['extra garbage field', '{"product_id":1,"count":3,"username":"a","admin":true}'],
  ['__proto__ key', '{"product_id":1,"count":3,"username":"a","__proto__":{"admin":true}}'],
  ['constructor.prototype', '{"product_id":1,"count":3,"username":"a","constructor":{"prototype":{"x":1}}}'],
  ['deeply nested JSON', `{"product_id":${nested(5000)},"count":3,"username":"a"}`],
  ['body is an array', '[1,2,3]'],
  ['body is a string', '"hello"'],
  ['body is null', 'null'],
  ['empty body', ''],
  ['truncated JSON', '{"product_id":"33","count":'],
  ['text/plain content type', JSON.stringify(GOOD_ORDER), { 'content-type': 'text/plain' }],
  [
    'form content type',
    'product_id=1&count=3&username=a',
    { 'content-type': 'application/x-www-form-urlencoded' },
  ],
  ['no content type', JSON.stringify(GOOD_ORDER), {}],
  ['empty Idempotency-Key', JSON.stringify(GOOD_ORDER), { ...JSON_CT, 'idempotency-key': '' }],
  [
    '256-char Idempotency-Key',
    JSON.stringify(GOOD_ORDER),
    { ...JSON_CT, 'idempotency-key': 'k'.repeat(256) },
  ],
];

const GOOD: Array<[string, unknown, { product: number; count: number; username: string }]> = [
  ['the seed example (strings)', GOOD_ORDER, { product: 33, count: 3, username: 'maksim.konovalov' }],
  ['JSON numbers', { product_id: 7, count: 2, username: 'a' }, { product: 7, count: 2, username: 'a' }],
  [
    'bounds 0 and 100',
    { product_id: 0, count: '100', username: 'b' },
    { product: 0, count: 100, username: 'b' },
  ],
  [
    '64 emoji username',
    { product_id: 1, count: 1, username: '🙂'.repeat(64) },
    { product: 1, count: 1, username: '🙂'.repeat(64) },
  ],
  [
    'unicode and quotes',
    { product_id: 1, count: 1, username: 'Максим "Кот" \\ 東京' },
    { product: 1, count: 1, username: 'Максим "Кот" \\ 東京' },
  ],
];

let backends: TestBackends;
let svc: RunningService;

before(async () => {
  if (pgGate.skip) return;
  backends = testBackends('contract');
  svc = await startTestService(backends, { mode: 'direct', workMs: '0', processRps: '0' });
});

after(async () => {
  if (pgGate.skip) return;
  await svc.close();
  await backends.cleanup();
});

test('contract: valid orders get 200 {"result":"created","id"} and exactly one row as sent', {
  skip: pgGate.skip,
}, async () => {
  for (const [name, body, want] of GOOD) {
    const res = await postOrder(svc.url, body, { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(res.status, 200, name);
    assert.equal(res.body.result, 'created', name);
    assert.match(res.body.id ?? '', /^[0-9a-f-]{36}$/, name);
    const row = await withPg(async (c) => {
      const r = await c.query(
        `SELECT product_id, count, username, attempts FROM "${backends.schema}".orders WHERE id = $1`,
        [res.body.id],
      );
      return r.rows;
    });
    assert.deepEqual(
      row,
      [{ product_id: want.product, count: want.count, username: want.username, attempts: 1 }],
      name,
    );
  }
});

test(`contract: ${BAD.length} kinds of bad input get 400 {"result":"invalid"} and write nothing`, {
  skip: pgGate.skip,
}, async () => {
  const before = (await storedOrders(backends.schema)).size;
  const scrapedBefore = metricValue(
    await scrape(svc.url),
    'http_requests_total{method="POST",route="/orders",status="400"}',
  );
  for (const [name, body, headers] of BAD) {
    const res = await postOrder(svc.url, body, headers ?? JSON_CT);
    assert.equal(res.status, 400, name);
    assert.deepEqual(res.body, { result: 'invalid' }, name);
  }
  assert.equal((await storedOrders(backends.schema)).size, before, 'no bad input wrote a row');
  const scraped = metricValue(
    await scrape(svc.url),
    'http_requests_total{method="POST",route="/orders",status="400"}',
  );
  assert.equal(scraped - (Number.isNaN(scrapedBefore) ? 0 : scrapedBefore), BAD.length);
});

test('contract: a 1 MiB body gets 413 {"result":"invalid"}; 16 KiB of JSON is still parsed', {
  skip: pgGate.skip,
}, async () => {
  const big = await postOrder(svc.url, `{"username":"${'x'.repeat(1024 * 1024)}"}`);
  assert.equal(big.status, 413);
  assert.deepEqual(big.body, { result: 'invalid' });
  const justOver = await postOrder(
    svc.url,
    `{"product_id":1,"count":1,"username":"${'x'.repeat(16 * 1024)}"}`,
  );
  assert.equal(justOver.status, 413);
  const padded = `{"product_id":1,"count":1,"username":"a"${' '.repeat(16 * 1024 - 50)}}`;
  const under = await postOrder(svc.url, padded);
  assert.equal(under.status, 200, 'whitespace-padded JSON under 16 KiB is accepted');
});

test('contract: health, readiness, 404 and the metric names', { skip: pgGate.skip }, async () => {
  assert.equal((await fetch(`${svc.url}/healthz`)).status, 200);
  const ready = await fetch(`${svc.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });
  const missing = await fetch(`${svc.url}/nope`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { result: 'not-found' });
  const text = await scrape(svc.url);
  for (const name of [
    'http_requests_total{method="POST",route="/orders",status="200"}',
    'http_request_duration_seconds_count{method="POST",route="/orders",status="200"}',
    'work_done_total{status="done"}',
    'work_done_total{status="error"}',
    'orders_queue_depth',
    'orders_processing_seconds_count',
    'orders_end_to_end_seconds_count',
    'orders_inflight',
    'process_cpu_user_seconds_total',
    'nodejs_eventloop_lag_seconds',
  ]) {
    assert.ok(Number.isFinite(metricValue(text, name)), `${name} is exported`);
  }
  const created = (await storedOrders(backends.schema)).size;
  assert.equal(metricValue(text, 'work_done_total{status="done"}'), created);
});

test('deploy: every metric the Grafana dashboard queries is exported', { skip: pgGate.skip }, async () => {
  const dashboard = JSON.parse(
    await readFile(new URL('../../../../deploy/grafana/dashboards/orders.json', import.meta.url), 'utf8'),
  ) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const text = await scrape(svc.url);
  const names = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets) {
      for (const m of expr.matchAll(/\b((?:http|work|orders|process|nodejs)_[a-z0-9_]+)/g)) {
        names.add((m[1] as string).replace(/_(bucket|sum|count)$/, ''));
      }
    }
  }
  assert.ok(names.size >= 6, `the dashboard queries our metrics (${[...names].join(', ')})`);
  for (const name of names) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exported`);
});
