import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testBackends } from '../../testing/backends.js';
import { needService } from '../../testing/services.js';
import { startTraceCollector } from '../../testing/trace-collector.js';
import { postOrder, startTestService } from './testing/harness.js';

// Direct mode processes inside the request: its trace is the SERVER span, then the group commit's
// batch span and its INSERT, with no order.process span (the SERVER span already times it).

const pgGate = await needService('postgres');

test('direct mode: request -> batch insert (linked to the request) -> INSERT, no order.process span', {
  skip: pgGate.skip,
}, async () => {
  const backends = testBackends('otel_direct');
  const collector = await startTraceCollector();
  const service = await startTestService(backends, {
    mode: 'direct',
    workMs: '0',
    processRps: '0',
    otelTracesExporter: 'otlp',
    otelExporterOtlpEndpoint: collector.url,
    otelBspScheduleDelay: '50',
  });
  try {
    const ok = await postOrder(service.url, { product_id: 33, count: 3, username: 'direct' });
    assert.equal(ok.status, 200);
    await collector.waitFor((spans) => spans.some((s) => s.kind === 'CLIENT' && s.name.startsWith('INSERT')));
    const spans = collector.spans;
    const server = spans.filter((s) => s.kind === 'SERVER' && s.attributes['http.route'] === '/orders');
    assert.equal(server.length, 1, 'one SERVER span for the one POST');
    const request = server[0] as (typeof spans)[number];
    const batch = spans.find((s) => s.name === 'orders insert');
    assert.ok(batch, `a batch span; spans: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(batch.parentSpanId, request.spanId, 'the batch of one is the child of the request');
    assert.deepEqual(batch.links, [{ traceId: request.traceId, spanId: request.spanId }]);
    const insert = spans.find((s) => s.kind === 'CLIENT' && s.parentSpanId === batch.spanId);
    assert.equal(insert?.traceId, request.traceId, 'the INSERT is in the order trace');
    assert.equal(spans.filter((s) => s.name === 'order.process').length, 0, 'no order.process span');
  } finally {
    await service.close();
    await collector.close();
    await backends.cleanup();
  }
});

test('queue mode on the in-process queue: the worker continues the request trace (order.process under request)', {
  skip: pgGate.skip,
}, async () => {
  const backends = testBackends('otel_memq');
  const collector = await startTraceCollector();
  const service = await startTestService(
    { ...backends, env: { ...backends.env, NATS_URL: '' } },
    {
      mode: 'queue',
      workers: '1',
      workMs: '0',
      processRps: '0',
      otelTracesExporter: 'otlp',
      otelExporterOtlpEndpoint: collector.url,
      otelBspScheduleDelay: '50',
    },
  );
  try {
    const ok = await postOrder(service.url, { product_id: 33, count: 3, username: 'memq' });
    assert.equal(ok.status, 200);
    await collector.waitFor((spans) => spans.some((s) => s.name === 'order.process'));
    const spans = collector.spans;
    const request = spans.find((s) => s.kind === 'SERVER' && s.attributes['http.route'] === '/orders');
    const processed = spans.find((s) => s.name === 'order.process');
    assert.ok(request && processed, `spans: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(processed.traceId, request.traceId, 'one trace per order across the in-process queue');
    assert.equal(processed.parentSpanId, request.spanId);
    assert.equal(processed.attributes['order.id'], ok.body.id);
  } finally {
    await service.close();
    await collector.close();
    await backends.cleanup();
  }
});
