import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describeTarget } from './exporters.js';

test('OTLP protobuf carries an orders SERVER span in under half the bytes of OTLP JSON (why it is the default)', (t) => {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('@fastify/otel', '0.21.2');
  // The attributes @fastify/otel puts on each request span.
  for (let i = 0; i < 512; i++) {
    const span = tracer.startSpan('request', {
      kind: 1,
      attributes: {
        'fastify.root': '@fastify/otel',
        'http.request.method': 'POST',
        'url.path': '/orders',
        'http.route': '/orders',
      },
    });
    span.setAttributes({ 'http.response.status_code': 200 });
    span.end();
  }
  const spans = memory.getFinishedSpans();
  assert.equal(spans.length, 512);
  const proto = ProtobufTraceSerializer.serializeRequest(spans)?.length ?? Number.NaN;
  const json = JsonTraceSerializer.serializeRequest(spans)?.length ?? Number.NaN;
  t.diagnostic(`bytes per span: protobuf ${(proto / 512).toFixed(0)}, JSON ${(json / 512).toFixed(0)}`);
  assert.ok(proto < json / 2, `protobuf ${proto} B vs JSON ${json} B for 512 spans`);
});

test('the start-up line names the exporter, its encoding and where it posts', () => {
  assert.equal(
    describeTarget({ kind: 'otlp', url: 'http://c:4318/v1/traces', protocol: 'http/protobuf', timeoutMs: 1 }),
    'otlp http/protobuf http://c:4318/v1/traces',
  );
  assert.equal(
    describeTarget({ kind: 'zipkin', url: 'http://z:9411/api/v2/spans', serviceName: 's' }),
    'zipkin http://z:9411/api/v2/spans',
  );
});
