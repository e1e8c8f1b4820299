import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { renderTextReport } from './report-text.js';
import { startServer } from './testing/server.js';
import { newTracePrefix, SLOWEST_KEPT, traceIdFor } from './trace-propagate.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

test('--trace-propagate: each request sends its own sampled traceparent; the slowest requests are named by trace id', async () => {
  const got: string[] = [];
  const slow = new Set<string>();
  const server = await startServer((req, res) => {
    const tp = String(req.headers.traceparent);
    got.push(tp);
    // Every 50th request is very slow: the result must name those among its slowest.
    if (got.length % 50 === 0) {
      slow.add(TRACEPARENT.exec(tp)?.[1] ?? 'malformed');
      setTimeout(() => res.end('ok'), 300);
    } else res.end('ok');
  });
  try {
    const prefix = newTracePrefix();
    const r = await runLoad({
      target: `${server.url}/x`,
      headers: [['traceparent', 'from-the-user-is-replaced']],
      traceIdPrefix: prefix,
      rate: 'constant:400',
      durationMs: 500,
      threads: 2,
      // Enough that no request waits for a connection behind a slow one (its latency would count that).
      connections: 64,
    });
    assert.equal(got.length, r.summary.completed);
    assert.equal(got.length, 200);
    const ids = got.map((tp) => {
      const m = TRACEPARENT.exec(tp);
      assert.ok(m, `a valid, sampled W3C traceparent: ${tp}`);
      assert.notEqual(m[2], '0'.repeat(16), 'the parent id is not all zero');
      return m[1] as string;
    });
    assert.equal(new Set(ids).size, ids.length, 'a fresh trace per request, across both threads');
    assert.ok(ids.every((id) => id.startsWith(prefix)));
    assert.equal(slow.size, 4);

    const slowest = r.slowest ?? [];
    assert.equal(slowest.length, SLOWEST_KEPT);
    assert.deepEqual(
      slowest.map((s) => s.latencyMs),
      slowest.map((s) => s.latencyMs).sort((a, b) => b - a),
      'slowest first',
    );
    const named = new Set(slowest.map((s) => s.traceId));
    assert.ok(
      [...slow].every((id) => named.has(id)),
      'the 4 delayed requests are among the slowest named',
    );
    for (const s of slowest) {
      assert.equal(s.traceId, traceIdFor(prefix, s.seq));
      assert.ok(ids.includes(s.traceId), 'each named trace id was sent');
    }
    assert.ok(slowest[3] && slowest[3].latencyMs >= 290, 'latency from the intended start');
    const text = renderTextReport(r);
    assert.match(text, /Slowest requests \(trace ids/);
    assert.ok(text.includes(slowest[0]?.traceId as string));
    assert.equal(r.settings.traceIdPrefix, prefix, 'the result file records the prefix');
  } finally {
    await server.close();
  }
});

test('without --trace-propagate nothing is added', async () => {
  const got: Array<string | undefined> = [];
  const server = await startServer((req, res) => {
    got.push(req.headers.traceparent as string | undefined);
    res.end('ok');
  });
  try {
    const r = await runLoad({ target: `${server.url}/x`, rate: 'constant:100', durationMs: 200 });
    assert.ok(got.length > 0 && got.every((t) => t === undefined));
    assert.equal(r.slowest, undefined);
  } finally {
    await server.close();
  }
});
