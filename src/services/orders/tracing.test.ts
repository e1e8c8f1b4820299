import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestBackends, testBackends } from '../../testing/backends.js';
import { capturingLogger } from '../../testing/logger.js';
import { needService } from '../../testing/services.js';
import {
  type CollectedSpan,
  startTraceCollector,
  type TraceCollector,
} from '../../testing/trace-collector.js';
import type { RunningService } from './service.js';
import { postOrder, startTestService } from './testing/harness.js';

// One trace per order across the queue (issue 8): HTTP -> JetStream publish -> worker -> Postgres,
// exported over OTLP/HTTP JSON to a collector this test runs, as a tracing backend would get them.

const pgGate = await needService('postgres');
const natsGate = await needService('nats');
const skip = pgGate.skip || natsGate.skip;
const FAIL_PRODUCT = 7;

let backends: TestBackends;
let collector: TraceCollector;
let service: RunningService;
const lines: Array<Record<string, unknown>> = [];
/** The one good order's id and its spans, found in before(). */
let orderId = '';
let failedId = '';

before(async () => {
  if (skip) return;
  backends = testBackends('otel_e2e');
  collector = await startTraceCollector();
  service = await startTestService(
    backends,
    {
      mode: 'queue',
      workers: '2',
      workMs: '0',
      processRps: '0',
      maxAttempts: '1',
      failProduct: String(FAIL_PRODUCT),
      otelTracesExporter: 'otlp',
      otelExporterOtlpEndpoint: collector.url,
      otelServiceName: 'orders-under-test',
      otelBspScheduleDelay: '50',
    },
    capturingLogger(lines),
  );
  const ok = await postOrder(service.url, { product_id: 33, count: 3, username: 'traced' });
  assert.equal(ok.status, 200);
  orderId = ok.body.id as string;
  const bad = await postOrder(service.url, { product_id: FAIL_PRODUCT, count: 1, username: 'doomed' });
  assert.equal(bad.status, 200);
  failedId = bad.body.id as string;
  await collector.waitFor(
    (spans) =>
      spans.some((s) => s.name === 'orders insert') &&
      spans.filter((s) => s.kind === 'CONSUMER').length >= 2 &&
      spans.filter((s) => s.kind === 'SERVER').length >= 2,
  );
});

after(async () => {
  if (skip) return;
  await service?.close();
  await collector?.close();
  await backends?.cleanup();
});

const byId = (id: string | undefined) => collector.spans.find((s) => s.spanId === id);

/** The span's ancestors, nearest first, as far as the collector has them. */
function ancestors(span: CollectedSpan): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  for (let p = byId(span.parentSpanId); p !== undefined; p = byId(p.parentSpanId)) out.push(p);
  return out;
}

function one(pred: (s: CollectedSpan) => boolean, what: string): CollectedSpan {
  const found = collector.spans.filter(pred);
  assert.equal(
    found.length,
    1,
    `exactly one ${what}; spans: ${collector.spans.map((s) => `${s.kind} ${s.name}`).join(', ')}`,
  );
  return found[0] as CollectedSpan;
}

test('one order, one trace: HTTP server -> publish (PRODUCER) -> process (CONSUMER) -> Postgres batch insert', {
  skip,
}, () => {
  assert.equal(collector.rejected, 0, 'every export decoded');
  const subject = `${backends.stream}.new`;
  const publish = one(
    (s) => s.kind === 'PRODUCER' && s.attributes['messaging.message.id'] === orderId,
    'publish span',
  );
  const processed = one(
    (s) => s.kind === 'CONSUMER' && s.attributes['messaging.message.id'] === orderId,
    'process span',
  );
  const http = one((s) => s.kind === 'SERVER' && s.traceId === publish.traceId, 'HTTP server span');
  const batch = one(
    (s) => s.name === 'orders insert' && s.links.some((l) => l.traceId === publish.traceId),
    'batch span',
  );
  const insert = one((s) => s.kind === 'CLIENT' && s.parentSpanId === batch.spanId, 'INSERT span');

  for (const s of [http, publish, processed, batch, insert]) {
    assert.equal(s.traceId, http.traceId, `${s.name} is in the order's trace`);
    assert.equal(s.service, 'orders-under-test', 'OTEL_SERVICE_NAME names the service');
  }
  assert.equal(http.attributes['http.route'], '/orders');
  assert.equal(http.attributes['http.request.method'], 'POST');
  assert.equal(http.attributes['http.response.status_code'], 200);
  // The publish runs inside the request (under @fastify/otel's handler span).
  assert.ok(ancestors(publish).includes(http), 'the publish descends from the HTTP server span');

  assert.equal(publish.name, `send ${subject}`);
  assert.deepEqual(
    [
      publish.attributes['messaging.system'],
      publish.attributes['messaging.destination.name'],
      publish.attributes['messaging.operation.type'],
    ],
    ['nats', subject, 'send'],
  );
  // The worker continued the context it extracted from the NATS headers: parent and link.
  assert.equal(processed.name, `process ${subject}`);
  assert.equal(processed.parentSpanId, publish.spanId, 'process is the child of the publish');
  assert.deepEqual(
    processed.links,
    [{ traceId: publish.traceId, spanId: publish.spanId }],
    'and links to it',
  );
  assert.deepEqual(
    [
      processed.attributes['messaging.system'],
      processed.attributes['messaging.destination.name'],
      processed.attributes['messaging.operation.type'],
    ],
    ['nats', subject, 'process'],
  );

  // The domain's span (through TracerPort) sits in the consumer span; the group commit links to it.
  const domain = one(
    (s) => s.name === 'order.process' && s.attributes['order.id'] === orderId,
    'order.process span',
  );
  assert.equal(domain.parentSpanId, processed.spanId);
  assert.ok(
    batch.links.some((l) => l.spanId === domain.spanId),
    'the batch links to the order it carries',
  );
  assert.equal(
    batch.links.length,
    batch.attributes['db.operation.batch.size'],
    'one link per order in the batch',
  );
  assert.ok(ancestors(insert).includes(batch));
  assert.equal(insert.attributes['db.system.name'], 'postgresql');
  assert.equal(insert.attributes['db.operation.name'], 'INSERT');
});

test('pino log lines written inside a span carry its trace_id and span_id', { skip }, () => {
  // The failing order is dead-lettered by the worker, inside its CONSUMER span.
  const dead = lines.find((l) => l.msg === 'dead-lettered' && l.id === failedId);
  assert.ok(dead, `the dead-letter line was logged: ${JSON.stringify(lines.map((l) => l.msg))}`);
  const consumer = one(
    (s) => s.kind === 'CONSUMER' && s.attributes['messaging.message.id'] === failedId,
    'failed order process span',
  );
  assert.equal(dead.trace_id, consumer.traceId);
  assert.equal(dead.span_id, consumer.spanId);
  const listening = lines.find((l) => l.event === 'listening');
  assert.ok(listening && listening.trace_id === undefined, 'a line outside any span has no trace fields');
});

test('latency histograms carry trace-id exemplars when scraped as OpenMetrics', { skip }, async () => {
  const orderTraces = new Set(
    collector.spans
      .filter((s) => s.kind === 'SERVER' && s.attributes['http.route'] === '/orders')
      .map((s) => s.traceId),
  );
  assert.equal(orderTraces.size, 2, 'two POST /orders, two traces');
  const res = await fetch(`${service.url}/metrics`, {
    headers: { accept: 'application/openmetrics-text; version=1.0.0' },
  });
  assert.match(res.headers.get('content-type') ?? '', /^application\/openmetrics-text/);
  const text = await res.text();
  assert.ok(text.endsWith('# EOF\n'), 'an OpenMetrics exposition ends with # EOF');
  const exemplars = text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('http_request_duration_seconds_bucket{') &&
        l.includes('route="/orders"') &&
        l.includes(' # {'),
    );
  assert.ok(exemplars.length > 0, 'a bucket of POST /orders has an exemplar');
  const ids = exemplars.map((l) => /# \{trace_id="([0-9a-f]{32})"\}/.exec(l)?.[1]);
  assert.ok(
    ids.every((id) => id !== undefined),
    `exemplars are {trace_id="…"}: ${exemplars.join('\n')}`,
  );
  assert.ok(
    ids.every((id) => orderTraces.has(id as string)),
    'each exemplar names the trace of a POST /orders that the tracing backend has',
  );
  // The Prometheus text format is untouched by an OpenMetrics scrape (counter names keep _total).
  const plain = await (await fetch(`${service.url}/metrics`)).text();
  assert.match(plain, /^http_requests_total\{/m);
  assert.doesNotMatch(plain, / # \{trace_id=/);
});
