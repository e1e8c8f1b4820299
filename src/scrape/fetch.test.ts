import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { fetchMetricsText } from './fetch.js';
import { parsePromText } from './prom-text.js';
import { serveTarget } from './serve.testing.js';

const serve = async (handler: Parameters<typeof serveTarget>[0]) => {
  const target = await serveTarget(handler);
  return { ...target, url: `${target.url}/metrics` };
};

test('fetchMetricsText returns the body of a 200 and names the URL on any failure', async () => {
  const ok = await serve((req, res) => {
    if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain' }).end('up 1\n');
    else res.writeHead(404).end('not here');
  });
  try {
    assert.equal(await fetchMetricsText(ok.url, { signal: AbortSignal.timeout(2000) }), 'up 1\n');
    await assert.rejects(
      fetchMetricsText(ok.url.replace('/metrics', '/nope'), { signal: AbortSignal.timeout(2000) }),
      (err) => isPeaklabError(err, 'PL_TARGET_UNREACHABLE') && /\/nope: status 404$/.test(err.message),
    );
  } finally {
    await ok.close();
  }
  await assert.rejects(
    fetchMetricsText(ok.url, { signal: AbortSignal.timeout(2000) }),
    (err) =>
      isPeaklabError(err, 'PL_TARGET_UNREACHABLE') && /ECONNREFUSED|other side closed/.test(err.message),
  );
});

test('a target that never answers is a timeout, not a hang', async () => {
  const stalled = await serve(() => {
    // Never respond.
  });
  try {
    const t0 = Date.now();
    await assert.rejects(
      fetchMetricsText(stalled.url, { signal: AbortSignal.timeout(300) }),
      (err) => isPeaklabError(err, 'PL_TARGET_UNREACHABLE') && /timed out/.test(err.message),
    );
    assert.ok(Date.now() - t0 < 2000, 'gave up near the timeout');
  } finally {
    await stalled.close();
  }
});

test('a body over the limit is refused, declared or streamed without a length', async () => {
  const big = 'x'.repeat(64 * 1024);
  const target = await serve((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-length': String(big.length) }).end(big);
      return;
    }
    // Chunked, no content-length: the reader must count as it goes, and stop early.
    res.writeHead(200);
    const timer = setInterval(() => res.write(big), 1);
    res.on('close', () => clearInterval(timer));
  });
  try {
    for (const path of ['/metrics', '/endless']) {
      await assert.rejects(
        fetchMetricsText(target.url.replace('/metrics', path), {
          signal: AbortSignal.timeout(5000),
          maxBytes: 32 * 1024,
        }),
        (err) => isPeaklabError(err, 'PL_TARGET_INVALID') && /larger than 32768 bytes/.test(err.message),
        path,
      );
    }
  } finally {
    await target.close();
  }
});

test('too many samples in one exposition is refused as a whole', () => {
  const text = Array.from({ length: 11 }, (_, i) => `m{i="${i}"} ${i}`).join('\n');
  assert.equal(parsePromText(text, { maxSamples: 11 }).length, 11);
  assert.throws(
    () => parsePromText(text, { maxSamples: 10 }),
    (err) => isPeaklabError(err, 'PL_TARGET_INVALID') && /more than 10 samples/.test(err.message),
  );
});
