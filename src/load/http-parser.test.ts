import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DONE, FAILED, MORE, ResponseParser } from './http-parser.js';

interface Case {
  name: string;
  bytes: string;
  head?: boolean;
  /** Expected: status, body bytes, keep-alive; or "failed" / "needs eof". */
  want: { status: number; body: number; keepAlive: boolean; eof?: boolean } | 'failed';
}

const CASES: Case[] = [
  {
    name: 'content-length',
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
    want: { status: 200, body: 5, keepAlive: true },
  },
  {
    name: 'no reason phrase',
    bytes: 'HTTP/1.1 204\r\n\r\n',
    want: { status: 204, body: 0, keepAlive: true },
  },
  {
    name: 'chunked with extensions and trailers',
    bytes:
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n',
    want: { status: 200, body: 15, keepAlive: true },
  },
  {
    name: 'chunked wins over content-length',
    bytes:
      'HTTP/1.1 200 OK\r\ncontent-length: 99\r\ntransfer-encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    want: { status: 200, body: 2, keepAlive: true },
  },
  {
    name: 'until close',
    bytes: 'HTTP/1.1 200 OK\r\n\r\nstreaming until the end',
    want: { status: 200, body: 23, keepAlive: false, eof: true },
  },
  {
    name: 'HTTP/1.0 closes',
    bytes: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
    want: { status: 200, body: 2, keepAlive: false },
  },
  {
    name: 'HTTP/1.0 keep-alive',
    bytes: 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok',
    want: { status: 200, body: 2, keepAlive: true },
  },
  {
    name: 'connection: close',
    bytes: 'HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    want: { status: 503, body: 0, keepAlive: false },
  },
  {
    name: 'interim 100 and 103 before the response',
    bytes:
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx',
    want: { status: 201, body: 1, keepAlive: true },
  },
  {
    name: '304 has no body',
    bytes: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
    want: { status: 304, body: 0, keepAlive: true },
  },
  {
    name: 'HEAD has no body',
    head: true,
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n',
    want: { status: 200, body: 0, keepAlive: true },
  },
  { name: 'not HTTP', bytes: 'SSH-2.0-OpenSSH\r\n\r\n', want: 'failed' },
  { name: 'bad status code', bytes: 'HTTP/1.1 2x0 OK\r\n\r\n', want: 'failed' },
  {
    name: 'two content-lengths',
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    want: 'failed',
  },
  {
    name: 'a bad chunk size',
    bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    want: 'failed',
  },
];

/** Feeds `bytes` in pieces of `size` (through one reused buffer, as the sockets do) and then EOF if needed. */
function run(c: Case, size: number): { r: number; p: ResponseParser } {
  const p = new ResponseParser();
  p.reset(c.head === true);
  const all = Buffer.from(c.bytes, 'latin1');
  const shared = Buffer.alloc(64 * 1024, 0x41); // stale bytes beyond each read, as in a reused buffer
  let r = MORE;
  for (let at = 0; at < all.length && r === MORE; at += size) {
    const n = all.copy(shared, 0, at, Math.min(all.length, at + size));
    r = p.execute(shared, n);
  }
  if (r === MORE) r = p.eof();
  return { r, p };
}

test('the response parser: framing, keep-alive, interim heads and malformed input, in every split', () => {
  for (const c of CASES) {
    for (const size of [1, 2, 3, 7, 16, 1 << 20]) {
      const { r, p } = run(c, size);
      const why = `${c.name}, ${size}-byte reads: ${p.error}`;
      if (c.want === 'failed') {
        assert.equal(r, FAILED, why);
        continue;
      }
      assert.equal(r, DONE, why);
      assert.equal(p.status, c.want.status, why);
      assert.equal(p.bodyBytes, c.want.body, why);
      assert.equal(p.keepAlive, c.want.keepAlive, why);
    }
  }
});

test('a response cut short fails at end of stream, wherever it is cut', () => {
  const whole = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
  for (let cut = 0; cut < whole.length; cut++) {
    const p = new ResponseParser();
    p.reset(false);
    const b = Buffer.from(whole.slice(0, cut), 'latin1');
    const r = cut === 0 ? MORE : p.execute(b, b.length);
    assert.equal(r, MORE, `cut at ${cut}`);
    assert.equal(p.eof(), FAILED, `cut at ${cut}`);
    assert.match(p.error, cut === 0 ? /before any response/ : /mid-response/);
  }
});

test('bytes after a whole response in the same read are refused (no pipelining: the server is wrong)', () => {
  const p = new ResponseParser();
  p.reset(false);
  const b = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy');
  assert.equal(p.execute(b, b.length), FAILED);
});

test('a head over 64 KiB is refused; the excerpt keeps the start of a failed body only', () => {
  const p = new ResponseParser();
  p.reset(false);
  const big = Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70 * 1024)}`);
  assert.equal(p.execute(big, big.length), FAILED);
  const q = new ResponseParser();
  q.keepExcerpt = (status) => status >= 400;
  q.reset(false);
  const body = 'e'.repeat(600);
  const res = Buffer.from(`HTTP/1.1 500 Oops\r\nContent-Length: 600\r\n\r\n${body}`);
  assert.equal(q.execute(res, res.length), DONE);
  assert.equal(q.excerpt, 'e'.repeat(512));
});
