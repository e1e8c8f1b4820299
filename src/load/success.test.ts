import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { assertAccounting } from './testing/accounting.js';
import { runCli } from './testing/cli.js';
import { startServer } from './testing/server.js';

/**
 * Which responses count as ok (--ok-status, default 2xx and 3xx as in JMeter and k6) and which
 * redirects are followed (--max-redirects, default 0; a followed chain is timed as one request).
 */

/** /a -> 302 /b -> 302 /c -> 200 "done", each hop 30 ms; /see-other: 303 to /c; /keep: 307 to /echo. */
function redirects(other = '') {
  return startServer((req, res, body) => {
    const hop = (status: number, location: string) =>
      setTimeout(() => {
        res.writeHead(status, { location });
        res.end();
      }, 30);
    if (req.url === '/a') hop(302, '/b');
    else if (req.url === '/b') hop(302, '/c');
    else if (req.url === '/c') setTimeout(() => res.end('done'), 30);
    else if (req.url === '/away') hop(301, `${other}/c`);
    else if (req.url === '/see-other') hop(303, '/echo');
    else if (req.url === '/keep') hop(307, '/echo');
    else if (req.url === '/echo') res.end(`${req.method} ${body}`);
    else if (req.url === '/loop') hop(302, '/loop');
    else {
      res.statusCode = 404;
      res.end('no');
    }
  });
}

test('a 3xx is ok by default, and the default follows no redirect', async () => {
  const server = await redirects();
  try {
    const r = await runCli([
      'load',
      `${server.url}/a`,
      '--rate',
      'constant:20',
      '--requests',
      '4',
      '--threshold',
      'errors==0',
    ]);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /Status code distribution:\n {2}\[302\]\t4 responses/);
    assert.equal(server.received, 4, 'no redirect was followed');
    const strict = await runCli([
      'load',
      `${server.url}/a`,
      '--rate',
      'constant:20',
      '--requests',
      '4',
      '--ok-status',
      '2xx',
      '--threshold',
      'errors==0',
    ]);
    assert.equal(strict.code, 99, strict.err);
    assert.match(strict.out, /FAIL {2}errors==0\terrors was 100\.00%/);
    const some = await runLoad({
      target: `${server.url}/nothing`,
      rate: 'constant:20',
      requests: 3,
      okStatus: '200,404',
    });
    assert.equal(some.summary.ok, 3);
    assert.equal(some.summary.failed, 0);
  } finally {
    await server.close();
  }
});

test('--max-redirects N follows a chain and times it as one request; a longer chain is an error', async () => {
  const other = await redirects();
  const server = await redirects(other.url);
  try {
    const r = await runLoad({ target: `${server.url}/a`, rate: 'constant:20', requests: 4, maxRedirects: 2 });
    assertAccounting(r);
    assert.deepEqual(r.summary.status, { '200': 4 });
    assert.equal(r.summary.started, 4);
    assert.equal(server.received, 12, 'three requests per chain');
    // Three hops of 30 ms each, from the first send to the last byte.
    assert.ok(
      (r.serviceTime.percentiles.p50 as number) >= 85,
      `service p50 ${r.serviceTime.percentiles.p50}`,
    );
    assert.equal(r.summary.bytesIn, 4 * 'done'.length, 'the final body; 3xx here have none');

    const tooLong = await runLoad({
      target: `${server.url}/a`,
      rate: 'constant:20',
      requests: 3,
      maxRedirects: 1,
    });
    assert.deepEqual(tooLong.summary.errors, { too_many_redirects: 3 });
    assert.deepEqual(tooLong.summary.status, {});
    const loop = await runLoad({
      target: `${server.url}/loop`,
      rate: 'constant:20',
      requests: 2,
      maxRedirects: 5,
    });
    assert.deepEqual(loop.summary.errors, { too_many_redirects: 2 });

    // Another origin: its own connections.
    const away = await runLoad({
      target: `${server.url}/away`,
      rate: 'constant:20',
      requests: 3,
      maxRedirects: 1,
    });
    assert.deepEqual(away.summary.status, { '200': 3 });
    assert.equal(other.received, 3);
  } finally {
    await server.close();
    await other.close();
  }
});

test('redirect methods: 303 turns a POST into a GET without body, 307 keeps both', async () => {
  const server = await redirects();
  try {
    const r303 = await runLoad({
      target: `${server.url}/see-other`,
      body: 'payload',
      rate: 'constant:20',
      requests: 1,
      maxRedirects: 1,
    });
    const r307 = await runLoad({
      target: `${server.url}/keep`,
      body: 'payload',
      rate: 'constant:20',
      requests: 1,
      maxRedirects: 1,
    });
    assert.equal(r303.summary.ok, 1);
    assert.equal(r307.summary.ok, 1);
    // /echo answers "METHOD body": "GET " after the 303, "POST payload" after the 307.
    assert.equal(r303.summary.bytesIn, 'GET '.length);
    assert.equal(r307.summary.bytesIn, 'POST payload'.length);
  } finally {
    await server.close();
  }
});

test('bad --ok-status and --max-redirects are one-line usage errors', async () => {
  const server = await startServer();
  try {
    for (const args of [
      ['--ok-status', '2xy'],
      ['--ok-status', '299-200'],
      ['--ok-status', '2xx,'],
      ['--max-redirects', '-1'],
    ]) {
      const r = await runCli(['load', `${server.url}/`, '--rate', 'constant:5', '--requests', '1', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, /^peaklab: .*\((PL_USAGE|PL_CONFIG_INVALID)\)\n$/);
      assert.doesNotMatch(r.err, /unknown option/, 'the flags exist and check their values');
    }
    assert.equal(server.received, 0);
  } finally {
    await server.close();
  }
});
