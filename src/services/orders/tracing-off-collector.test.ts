import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { type TestBackends, testBackends } from '../../testing/backends.js';
import { capturingLogger } from '../../testing/logger.js';
import { needService } from '../../testing/services.js';
import { postOrder, startTestService } from './testing/harness.js';

const pgGate = await needService('postgres');
let backends: TestBackends;

before(() => {
  backends = testBackends('otel_down');
});
after(async () => {
  if (!pgGate.skip) await backends.cleanup();
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const failures = (lines: Array<Record<string, unknown>>) =>
  lines.filter((l) => l.event === 'trace-export-failed').length;

test('an unreachable collector is logged once and every request still succeeds', {
  skip: pgGate.skip,
}, async () => {
  const lines: Array<Record<string, unknown>> = [];
  const service = await startTestService(
    backends,
    {
      mode: 'direct',
      workMs: '0',
      processRps: '0',
      otelTracesExporter: 'otlp',
      otelExporterOtlpEndpoint: `http://127.0.0.1:${await closedPort()}`,
      otelBspScheduleDelay: '20',
    },
    capturingLogger(lines),
  );
  try {
    assert.equal(lines.filter((l) => l.event === 'tracing').length, 1, 'the tracing line names the exporter');
    const statuses: number[] = [];
    // Several rounds, each exported (and failing) on its own: the failure is logged only once.
    for (let round = 0; round < 4; round++) {
      const got = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          postOrder(service.url, { product_id: i, count: 1, username: `r${round}` }),
        ),
      );
      statuses.push(...got.map((r) => r.status));
      const until = Date.now() + 8000;
      while (round === 0 && failures(lines) === 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 60));
    }
    assert.deepEqual(statuses, new Array(20).fill(200), 'no request failed for its telemetry');
    assert.equal(failures(lines), 1, 'the outage is logged once, not once per export');
  } finally {
    const report = await service.close();
    assert.equal(
      report.clean,
      true,
      `shutdown stays clean with the collector down: ${JSON.stringify(report)}`,
    );
  }
});
