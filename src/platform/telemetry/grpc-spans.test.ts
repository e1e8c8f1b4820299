import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { readConfig } from '../../config/mod.js';
import { silentLogger } from '../../shared/logger.js';
import { startTraceCollector } from '../../testing/trace-collector.js';
import { startGrpcServer } from '../grpc/server.js';
import { healthClient } from '../grpc/testing/health-client.js';
import { startTracing } from './tracing.js';
import { TRACING_GROUP } from './tracing-config.js';

type RawCheck = (
  req: { service: string },
  md: Metadata,
  opts: { deadline: number },
  cb: (err: ServiceError | null) => void,
) => void;

test('gRPC: a SERVER span per call from the platform interceptor, continuing the caller’s traceparent', async () => {
  const collector = await startTraceCollector();
  const cfg = readConfig(
    TRACING_GROUP,
    {},
    {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '20',
    },
  );
  const tracing = await startTracing(cfg, { serviceName: 'grpc-under-test', logger: silentLogger() });
  assert.ok(tracing, 'tracing started');
  const server = await startGrpcServer({ port: 0, services: [], registry: new Registry() });
  const client = healthClient(server.address);
  try {
    const traceId = `${'a'.repeat(31)}1`;
    const parent = `${'b'.repeat(15)}2`;
    const call = (service: string) =>
      new Promise<void>((resolve) => {
        const md = new Metadata();
        md.set('traceparent', `00-${traceId}-${parent}-01`);
        (client.Check.bind(client) as unknown as RawCheck)(
          { service },
          md,
          { deadline: Date.now() + 5000 },
          () => resolve(),
        );
      });
    await call('');
    await call('no.Such');
    await collector.waitFor((spans) => spans.filter((s) => s.kind === 'SERVER').length >= 2);
    const spans = collector.spans.filter((s) => s.kind === 'SERVER');
    for (const s of spans) {
      assert.equal(s.name, 'grpc.health.v1.Health/Check');
      assert.equal(s.traceId, traceId, 'the caller’s trace continues');
      assert.equal(s.parentSpanId, parent);
      assert.equal(s.attributes['rpc.system'], 'grpc');
      assert.equal(s.attributes['rpc.service'], 'grpc.health.v1.Health');
      assert.equal(s.attributes['rpc.method'], 'Check');
      assert.equal(s.service, 'grpc-under-test');
    }
    assert.deepEqual(
      spans.map((s) => s.attributes['rpc.grpc.status_code']).sort(),
      [0, 5],
      'OK and NOT_FOUND',
    );
  } finally {
    client.close();
    await server.close(1000);
    await tracing.shutdown();
    await collector.close();
  }
});
