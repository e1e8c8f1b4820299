import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testBackends } from '../../testing/backends.js';
import { needService } from '../../testing/services.js';
import {
  type CollectedSpan,
  startTraceCollector,
  type TraceCollector,
} from '../../testing/trace-collector.js';
import { postOrder, startTestService } from './testing/harness.js';

// The orders trace in the modes without NATS: direct (processing inside the request, so no
// order.process span) and queue mode on the in-process queue (the request's context crosses it).

const pgGate = await needService('postgres');

/**
 * One traced order through `serve orders` with `flags` (Postgres, no NATS), exported to
 * a collector; resolves with the spans once `until` holds, and the order's id.
 */
async function oneTracedOrder(
  prefix: string,
  flags: Record<string, string> | ((collectorUrl: string) => Record<string, string>),
  until: (spans: readonly CollectedSpan[]) => boolean,
): Promise<{ spans: readonly CollectedSpan[]; id: unknown; posts: TraceCollector['posts'] }> {
  const backends = testBackends(prefix);
  const collector = await startTraceCollector();
  // No NATS_URL: queue mode takes the in-process queue.
  const service = await startTestService(
    { ...backends, env: { ...backends.env, NATS_URL: '' } },
    {
      workMs: '0',
      processRps: '0',
      otelTracesExporter: 'otlp',
      otelExporterOtlpEndpoint: collector.url,
      otelBspScheduleDelay: '50',
      ...(typeof flags === 'function' ? flags(collector.url) : flags),
    },
  );
  try {
    const ok = await postOrder(service.url, { product_id: 33, count: 3, username: prefix });
    assert.equal(ok.status, 200);
    await collector.waitFor(until);
    return { spans: collector.spans, id: ok.body.id, posts: { ...collector.posts } };
  } finally {
    await service.close();
    await collector.close();
    await backends.cleanup();
  }
}

const isRequest = (s: CollectedSpan) => s.kind === 'SERVER' && s.attributes['http.route'] === '/orders';

/** A port nothing listens on: an OTLP endpoint that must not be the one used. */
const NOWHERE = 'http://127.0.0.1:9';

for (const [label, flags, encoding] of [
  ['OTLP default (http/protobuf)', {}, 'protobuf'],
  ['OTEL_EXPORTER_OTLP_PROTOCOL=http/json', { otelExporterOtlpProtocol: 'http/json' }, 'json'],
  [
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and _TRACES_PROTOCOL override the general ones',
    (url: string) => ({
      otelExporterOtlpEndpoint: NOWHERE,
      otelExporterOtlpTracesEndpoint: `${url}/v1/traces`,
      otelExporterOtlpProtocol: 'http/protobuf',
      otelExporterOtlpTracesProtocol: 'http/json',
    }),
    'json',
  ],
] as const) {
  test(`direct mode, ${label}: request -> batch insert (linked to the request) -> INSERT, no order.process span`, {
    skip: pgGate.skip,
  }, async () => {
    const { spans, posts } = await oneTracedOrder(
      `otel_direct_${encoding}`,
      (url) => ({ mode: 'direct', ...(typeof flags === 'function' ? flags(url) : flags) }),
      (all) => all.some((s) => s.kind === 'CLIENT' && s.name.startsWith('INSERT')),
    );
    assert.ok(posts[encoding] > 0, `the spans came as OTLP/HTTP ${encoding}: ${JSON.stringify(posts)}`);
    assert.equal(posts.protobuf + posts.json, posts[encoding], 'and only so');
    const server = spans.filter(isRequest);
    assert.equal(server.length, 1, 'one SERVER span for the one POST');
    const request = server[0] as CollectedSpan;
    const batch = spans.find((s) => s.name === 'orders insert');
    assert.ok(batch, `a batch span; spans: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(batch.parentSpanId, request.spanId, 'the batch of one is the child of the request');
    assert.deepEqual(batch.links, [{ traceId: request.traceId, spanId: request.spanId }]);
    const insert = spans.find((s) => s.kind === 'CLIENT' && s.parentSpanId === batch.spanId);
    assert.equal(insert?.traceId, request.traceId, 'the INSERT is in the order trace');
    assert.equal(request.attributes['http.request.method'], 'POST', 'attributes decode from either encoding');
    assert.equal(
      request.attributes['http.response.status_code'],
      200,
      'an int attribute decodes as a number',
    );
    assert.equal(spans.filter((s) => s.name === 'order.process').length, 0, 'no order.process span');
  });
}

test('queue mode on the in-process queue: the worker continues the request trace (order.process under request)', {
  skip: pgGate.skip,
}, async () => {
  const { spans, id } = await oneTracedOrder('otel_memq', { mode: 'queue', workers: '1' }, (all) =>
    all.some((s) => s.name === 'order.process'),
  );
  const request = spans.find(isRequest);
  const processed = spans.find((s) => s.name === 'order.process');
  assert.ok(request && processed, `spans: ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(processed.traceId, request.traceId, 'one trace per order across the in-process queue');
  assert.equal(processed.parentSpanId, request.spanId);
  assert.equal(processed.attributes['order.id'], id);
});
