import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { startGrpcServer } from '../grpc/server.js';
import { healthClient } from '../grpc/testing/health-client.js';
import { dbSpan } from './spans.js';
import { startTestTracing } from './testing/traced.js';

type RawCheck = (
  req: { service: string },
  md: Metadata,
  opts: { deadline: number },
  cb: (err: ServiceError | null) => void,
) => void;

test('gRPC: a SERVER span per call from the platform interceptor, continuing the caller’s traceparent', async () => {
  const traced = await startTestTracing('grpc-under-test');
  const { collector } = traced;
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
    await traced.close();
  }
});

/** A one-method service over JSON bytes (no .proto needed): its handler awaits, then starts a span. */
const JSON_BYTES = {
  serialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString('utf8')) as unknown,
};
const ECHO = {
  Echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: JSON_BYTES.serialize,
    requestDeserialize: JSON_BYTES.deserialize,
    responseSerialize: JSON_BYTES.serialize,
    responseDeserialize: JSON_BYTES.deserialize,
  },
};

test('gRPC: the handler runs in the call span’s context, so its spans are the call’s children', async () => {
  const traced = await startTestTracing('grpc-under-test');
  const { collector } = traced;
  const server = await startGrpcServer({
    port: 0,
    registry: new Registry(),
    services: [
      {
        name: 'test.Echo',
        definition: ECHO,
        implementation: {
          Echo: (call: { request: unknown }, cb: (err: null, value: unknown) => void) => {
            void (async () => {
              await new Promise((r) => setImmediate(r));
              const got = await dbSpan(
                { system: 'redis', namespace: '0' },
                'GET',
                'GET k',
                async () => call.request,
              );
              cb(null, got);
            })();
          },
        },
      },
    ],
  });
  const Client = makeGenericClientConstructor(ECHO, 'Echo');
  const client = new Client(server.address, credentials.createInsecure()) as unknown as {
    Echo(req: unknown, cb: (err: ServiceError | null, res: unknown) => void): void;
    close(): void;
  };
  try {
    const res = await new Promise<unknown>((resolve, reject) =>
      client.Echo({ hello: 1 }, (err, r) => (err ? reject(err) : resolve(r))),
    );
    assert.deepEqual(res, { hello: 1 });
    await collector.waitFor((spans) => spans.some((s) => s.kind === 'CLIENT'));
    const call = collector.spans.find((s) => s.kind === 'SERVER' && s.name === 'test.Echo/Echo');
    const inner = collector.spans.find((s) => s.kind === 'CLIENT');
    assert.ok(call && inner, `spans: ${collector.spans.map((s) => `${s.kind} ${s.name}`).join(', ')}`);
    assert.equal(inner.traceId, call.traceId);
    assert.equal(inner.parentSpanId, call.spanId, 'the handler’s span is the child of the call’s');
  } finally {
    client.close();
    await server.close(1000);
    await traced.close();
  }
});
