import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withPg } from '../../testing/backends.js';
import { needService } from '../../testing/services.js';
import { SaleClient } from './testing/client.js';
import { assertInvariants, auditOf, saleBackends, startTestSale } from './testing/harness.js';

const pgGate = await needService('postgres');
const redisGate = await needService('redis');

const TEN_KB = '7'.repeat(10 * 1024);
const INVALID = { error: 'invalid_params' };
const NOT_FOUND = { error: 'item_not_found' };
const NO_CODE = { error: 'code_not_found' };
const NOT_ALLOWED = { error: 'method_not_allowed' };

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly answer?: Record<string, unknown>;
  /** A POST /checkout that reached the handler: it must be recorded. */
  readonly recorded?: boolean;
}

const co = (query: string) => `/checkout?${query}`;
const q = encodeURIComponent;

// biome-ignore format: a table, one row a line
const CASES: readonly Case[] = [
  { name: 'no parameters', method: 'POST', path: '/checkout', status: 400, answer: INVALID, recorded: true },
  { name: 'no id', method: 'POST', path: co('user_id=1'), status: 400, answer: INVALID, recorded: true },
  { name: 'no user_id', method: 'POST', path: co('id=1'), status: 400, answer: INVALID, recorded: true },
  { name: 'empty values', method: 'POST', path: co('user_id=&id='), status: 400, answer: INVALID, recorded: true },
  { name: 'non-numeric user', method: 'POST', path: co('user_id=bob&id=1'), status: 400, answer: INVALID, recorded: true },
  { name: 'non-numeric item', method: 'POST', path: co('user_id=1&id=one'), status: 400, answer: INVALID, recorded: true },
  { name: 'fractional item', method: 'POST', path: co('user_id=1&id=1.5'), status: 400, answer: INVALID, recorded: true },
  { name: 'exponent item', method: 'POST', path: co('user_id=1&id=1e2'), status: 400, answer: INVALID, recorded: true },
  { name: 'padded item', method: 'POST', path: co(`user_id=1&id=${q(' 1')}`), status: 400, answer: INVALID, recorded: true },
  { name: 'leading zero', method: 'POST', path: co('user_id=1&id=01'), status: 400, answer: INVALID, recorded: true },
  { name: 'user 0', method: 'POST', path: co('user_id=0&id=1'), status: 400, answer: INVALID, recorded: true },
  { name: 'negative user', method: 'POST', path: co('user_id=-5&id=1'), status: 400, answer: INVALID, recorded: true },
  { name: 'user past 2^53', method: 'POST', path: co('user_id=9007199254740993&id=1'), status: 400, answer: INVALID, recorded: true },
  { name: '10 KB user_id', method: 'POST', path: co(`user_id=${TEN_KB}&id=1`), status: 400, answer: INVALID, recorded: true },
  { name: 'item 0', method: 'POST', path: co('user_id=1&id=0'), status: 404, answer: NOT_FOUND, recorded: true },
  { name: 'item -1', method: 'POST', path: co('user_id=1&id=-1'), status: 404, answer: NOT_FOUND, recorded: true },
  { name: 'item past the stock', method: 'POST', path: co('user_id=1&id=21'), status: 404, answer: NOT_FOUND, recorded: true },
  { name: 'item past 2^64', method: 'POST', path: co('user_id=1&id=99999999999999999999999'), status: 404, answer: NOT_FOUND, recorded: true },
  { name: 'SQL in user_id', method: 'POST', path: co(`user_id=${q("1' OR '1'='1")}&id=1`), status: 400, answer: INVALID, recorded: true },
  { name: 'SQL in id', method: 'POST', path: co(`user_id=1&id=${q('1; DROP TABLE purchases; --')}`), status: 400, answer: INVALID, recorded: true },
  { name: 'unknown key', method: 'POST', path: co('user_id=1&id=1&coupon=FREE'), status: 400, answer: INVALID, recorded: true },
  { name: 'repeated key', method: 'POST', path: co('user_id=1&user_id=2&id=1'), status: 400, answer: INVALID, recorded: true },
  { name: '__proto__ key', method: 'POST', path: co('user_id=1&id=1&__proto__=x'), status: 400, answer: INVALID, recorded: true },
  { name: 'a malformed JSON body is ignored', method: 'POST', path: co('user_id=5&id=5'), body: '{"user_id":', headers: { 'content-type': 'application/json' }, status: 200, recorded: true },
  { name: 'a 5 KB body', method: 'POST', path: co('user_id=6&id=6'), body: 'x'.repeat(5000), status: 413, answer: { error: 'payload_too_large' } },
  { name: 'GET /checkout', method: 'GET', path: co('user_id=1&id=1'), status: 405, answer: NOT_ALLOWED },
  { name: 'PUT /checkout', method: 'PUT', path: co('user_id=1&id=1'), status: 405, answer: NOT_ALLOWED },
  { name: 'GET /purchase', method: 'GET', path: `/purchase?code=${'a'.repeat(32)}`, status: 405, answer: NOT_ALLOWED },
  { name: 'DELETE /purchase', method: 'DELETE', path: '/purchase', status: 405, answer: NOT_ALLOWED },
  { name: 'POST /sale', method: 'POST', path: '/sale', status: 405, answer: NOT_ALLOWED },
  { name: 'purchase: no code', method: 'POST', path: '/purchase', status: 400, answer: INVALID },
  { name: 'purchase: unknown key', method: 'POST', path: `/purchase?code=${'a'.repeat(32)}&x=1`, status: 400, answer: INVALID },
  { name: 'purchase: repeated code', method: 'POST', path: `/purchase?code=${'a'.repeat(32)}&code=b`, status: 400, answer: INVALID },
  { name: 'purchase: SQL as code', method: 'POST', path: `/purchase?code=${q("' OR 1=1 --")}`, status: 404, answer: NO_CODE },
  { name: 'purchase: 10 KB code', method: 'POST', path: `/purchase?code=${TEN_KB}`, status: 404, answer: NO_CODE },
  { name: 'purchase: upper-case code', method: 'POST', path: `/purchase?code=${'A'.repeat(32)}`, status: 404, answer: NO_CODE },
  { name: 'an unknown path', method: 'POST', path: '/checkout/1', status: 404, answer: { error: 'not_found' } },
  { name: 'a request line over 16 KB (Node refuses it)', method: 'POST', path: co(`user_id=${'7'.repeat(20_000)}&id=1`), status: 431 },
];

test('bad input: each gets its documented status, never a 500; every checkout that reached the handler is recorded', {
  skip: pgGate.skip || redisGate.skip,
  timeout: 60_000,
}, async () => {
  const backends = saleBackends('badinput');
  const svc = await startTestSale(backends, { items: '20', userLimit: '3' });
  try {
    let recorded = 0;
    for (const c of CASES) {
      // A fresh connection each: Node closes the one that sent an over-long request line.
      const client = new SaleClient(svc.url, 1);
      try {
        const a = await client.send(c.method, c.path, c.body, c.headers);
        assert.equal(a.status, c.status, `${c.name}: status`);
        if (c.answer) assert.deepEqual(a.body, c.answer, `${c.name}: body`);
        if (c.recorded) recorded++;
      } finally {
        await client.close();
      }
    }
    const after = new SaleClient(svc.url, 1);
    const sale = await after.sale();
    await after.close();
    assert.equal(sale.reserved, 1, 'only the checkout with a malformed body reserved anything');
    // The tables are all there: nothing SQL-looking was ever run.
    const tables = await withPg(async (c) => {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename IN ('sales','items','checkouts','purchases','sale_users')`,
        [backends.schema],
      );
      return rows[0]?.n;
    });
    assert.equal(tables, 5);
    const audit = await auditOf(backends, { answeredCheckouts: recorded });
    assertInvariants(audit, false);
    assert.equal(
      audit.checkoutsByResult.invalid_params,
      CASES.filter((c) => c.recorded && c.status === 400).length,
    );
    assert.equal(audit.checkoutsByResult.item_not_found, 4);
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});
