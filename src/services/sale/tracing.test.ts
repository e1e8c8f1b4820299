import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needService } from '../../testing/services.js';
import { type CollectedSpan, startTraceCollector } from '../../testing/trace-collector.js';
import { SaleClient } from './testing/client.js';
import { saleBackends, startTestSale } from './testing/harness.js';

const pgGate = await needService('postgres');
const redisGate = await needService('redis');

test('sale: one checkout and its purchase are traces HTTP -> Redis script -> Postgres batch insert', {
  skip: pgGate.skip || redisGate.skip,
}, async () => {
  const collector = await startTraceCollector();
  const backends = saleBackends('otel_sale');
  const svc = await startTestSale(backends, {
    items: '4',
    otelTracesExporter: 'zipkin',
    otelExporterZipkinEndpoint: `${collector.url}/api/v2/spans`,
    otelBspScheduleDelay: '50',
  });
  const client = new SaleClient(svc.url, 2);
  try {
    const c = await client.checkout(1, 1);
    assert.equal(c.status, 200);
    const p = await client.purchase(String(c.body.code));
    assert.equal(p.status, 200);
    // Zipkin JSON carries no links: the batch span is found as a child of its first caller.
    const inTrace = (root: CollectedSpan) => collector.spans.filter((s) => s.traceId === root.traceId);
    await collector.waitFor(
      (spans) =>
        spans.filter((s) => s.kind === 'SERVER').length === 2 &&
        spans.some((s) => s.name === 'checkouts insert') &&
        spans.some((s) => s.name === 'purchases insert'),
    );
    for (const [route, batch] of [
      ['/checkout', 'checkouts insert'],
      ['/purchase', 'purchases insert'],
    ] as const) {
      const http = collector.spans.find((s) => s.kind === 'SERVER' && s.attributes['http.route'] === route);
      assert.ok(http, `a SERVER span for ${route}`);
      assert.equal(http.service, 'sale', 'service.name defaults to the service');
      const spans = inTrace(http);
      const redis = spans.filter((s) => s.kind === 'CLIENT' && s.attributes['db.system.name'] === 'redis');
      assert.ok(redis.length >= 1, `${route} calls its Redis script inside its trace`);
      assert.match(String(redis[0]?.attributes['db.query.text']), /^EVALSHA /);
      const write = spans.find((s) => s.name === batch);
      assert.ok(write, `${route}'s ${batch} batch is in its trace`);
      const insert = spans.find((s) => s.kind === 'CLIENT' && s.parentSpanId === write.spanId);
      assert.equal(insert?.attributes['db.system.name'], 'postgresql');
      assert.equal(insert?.attributes['db.operation.name'], 'INSERT');
    }
    assert.equal(collector.rejected, 0);
  } finally {
    await client.close();
    await svc.close();
    await collector.close();
    await backends.cleanup();
  }
});
