import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { renderTextReport } from './report-text.js';
import { startServer } from './testing/server.js';

test('a 1 s server stall shows in latency from intended start, not in service time', async () => {
  // The server stalls once: every request that arrives in [3s, 4s) is answered at 4s.
  const t0 = Date.now();
  const server = await startServer((_req, res) => {
    const at = Date.now() - t0;
    if (at >= 3000 && at < 4000) setTimeout(() => res.end('late'), 4000 - at);
    else res.end('ok');
  });
  try {
    const r = await runLoad({
      target: `${server.url}/`,
      rate: 'constant:200',
      durationMs: 10_000,
      connections: 8,
    });
    assert.equal(r.summary.completed, r.summary.started);
    const p99 = r.latency.percentiles.p99 as number;
    const serviceP99 = r.serviceTime.percentiles.p99 as number;
    assert.ok(p99 >= 700, `latency p99 ${p99} ms should be near the 1 s stall`);
    // Only the few requests on the connections during the stall waited at the server.
    assert.ok(serviceP99 < 200, `service-time p99 ${serviceP99} ms should stay low`);
    assert.ok(r.serviceTime.maxMs >= 500, 'the requests that met the stall do show it in service time');
    assert.ok(r.summary.late > 100, `requests queued behind the stall are late: ${r.summary.late}`);
    const text = renderTextReport(r);
    assert.match(text, /intended start/);
    assert.match(text, /coordinated omission/);
    assert.match(text, /Service time is timed from the actual send/);
  } finally {
    await server.close();
  }
});
