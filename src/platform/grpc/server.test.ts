import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { isPeaklabError } from '../../shared/errors.js';
import type { CallInfo, CallOutcome } from './interceptor.js';
import { loadService, shippedProto } from './proto.js';
import { type GrpcServerHandle, startGrpcServer } from './server.js';
import { check, healthClient } from './testing/health-client.js';
import { echo, probeClient, probeHandlers, writeProbeProto } from './testing/probe.js';
import { sampleSum } from './testing/prom.js';

const PROTO = writeProbeProto();
const SERVICE = 'probe.Probe';

async function startProbe(
  outcomes?: CallOutcome[],
): Promise<{ server: GrpcServerHandle; registry: Registry }> {
  const registry = new Registry();
  const server = await startGrpcServer({
    port: 0,
    registry,
    services: [{ name: SERVICE, definition: loadService(PROTO, SERVICE), implementation: probeHandlers() }],
    ...(outcomes
      ? {
          observer: (call: CallInfo) => (o: CallOutcome) =>
            void outcomes.push({
              ...o,
              details: `${call.method} ${String(call.metadata.get('user-agent')[0])}`,
            }),
        }
      : {}),
  });
  return { server, registry };
}

test('health: SERVING for the server and each service, NOT_FOUND for others, NOT_SERVING to watchers on close', async () => {
  const { server } = await startProbe();
  const client = healthClient(server.address);
  try {
    assert.equal(await check(client, ''), 'SERVING');
    assert.equal(await check(client, SERVICE), 'SERVING');
    assert.equal(await check(client, 'no.Such'), status.NOT_FOUND);
    assert.equal(await check(client, 'x'.repeat(600)), status.INVALID_ARGUMENT);

    const seen: string[] = [];
    const watch = client.Watch({ service: SERVICE });
    const ended = new Promise<void>((resolve) => {
      watch.on('data', (r: { status: string }) => seen.push(r.status));
      watch.on('end', resolve);
      watch.on('error', () => resolve());
    });
    const unknown: string[] = [];
    const watchUnknown = client.Watch({ service: 'later.Service' });
    watchUnknown.on('data', (r: { status: string }) => unknown.push(r.status));
    watchUnknown.on('error', () => {});
    await waitFor(() => seen.length === 1 && unknown.length === 1);
    server.health.set('later.Service', 'SERVING');
    await waitFor(() => unknown.length === 2);
    assert.deepEqual(unknown, ['SERVICE_UNKNOWN', 'SERVING']);

    // Open Watch streams must not hold the graceful close until its deadline.
    const report = await server.close(5000);
    await ended;
    assert.deepEqual(seen, ['SERVING', 'NOT_SERVING']);
    assert.equal(report.drained, true);
    assert.ok(report.ms < 4000, `close took ${report.ms} ms with watchers open`);
  } finally {
    client.close();
    await server.close(0);
  }
});

test('interceptor: one outcome per call in handled_total, the histogram and the hook; started = handled', async () => {
  const outcomes: CallOutcome[] = [];
  const { server, registry } = await startProbe(outcomes);
  const client = probeClient(PROTO, server.address);
  try {
    const results = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => echo(client, { text: `ok${i}` })),
      ...Array.from({ length: 7 }, () => echo(client, { code: status.INVALID_ARGUMENT })),
      ...Array.from({ length: 3 }, () => echo(client, { code: status.OUT_OF_RANGE })),
      // The client's deadline passes while the handler waits.
      echo(client, { delay_ms: 400 }, 100),
    ]);
    assert.equal(results.filter((r) => typeof r === 'string').length, 30);
    assert.equal(results.at(-1), status.DEADLINE_EXCEEDED);
    await waitFor(() => server.calls.inFlight === 0);
    const text = await registry.metrics();
    const labels = { grpc_service: SERVICE, grpc_method: 'Echo' };
    assert.equal(sampleSum(text, 'grpc_server_handled_total', { ...labels, grpc_code: 'OK' }), 30);
    assert.equal(
      sampleSum(text, 'grpc_server_handled_total', { ...labels, grpc_code: 'InvalidArgument' }),
      7,
    );
    assert.equal(sampleSum(text, 'grpc_server_handled_total', { ...labels, grpc_code: 'OutOfRange' }), 3);
    // The late call is counted once: DeadlineExceeded if the server's own deadline timer fired
    // first, Canceled if the client's cancel (its deadline passed a hair earlier) arrived first.
    assert.equal(
      sampleSum(text, 'grpc_server_handled_total', { ...labels, grpc_code: 'DeadlineExceeded' }) +
        sampleSum(text, 'grpc_server_handled_total', { ...labels, grpc_code: 'Canceled' }),
      1,
    );
    assert.equal(sampleSum(text, 'grpc_server_handled_total', labels), 41);
    assert.equal(sampleSum(text, 'grpc_server_started_total', labels), 41);
    assert.equal(sampleSum(text, 'grpc_server_handling_seconds_count', labels), 41);
    assert.ok(sampleSum(text, 'grpc_server_handling_seconds_sum', labels) > 0);
    // Health calls are calls too, under their own service label.
    assert.equal(sampleSum(text, 'grpc_server_handled_total', { grpc_service: 'grpc.health.v1.Health' }), 0);
    assert.equal(outcomes.length, 41);
    assert.equal(outcomes.filter((o) => o.code === status.OK).length, 30);
    assert.ok(outcomes.every((o) => o.seconds >= 0));
    // The hook sees the request's metadata (where a traceparent would be).
    assert.ok(
      outcomes.every((o) => /^Echo grpc-node-js\//.test(o.details)),
      outcomes[0]?.details,
    );
  } finally {
    client.close();
    await server.close(0);
  }
});

test('graceful close: calls in flight finish OK, new calls are refused, the report says drained', async () => {
  const { server } = await startProbe();
  const client = probeClient(PROTO, server.address);
  try {
    const inFlight = Array.from({ length: 20 }, (_, i) => echo(client, { text: `slow${i}`, delay_ms: 300 }));
    await waitFor(() => server.calls.inFlight === 20);
    const closing = server.close(5000);
    const late = await echo(client, { text: 'late' }, 2000);
    assert.notEqual(typeof late, 'string', 'a call after close began must not be served');
    assert.deepEqual(
      await Promise.all(inFlight),
      Array.from({ length: 20 }, (_, i) => `slow${i}`),
    );
    const report = await closing;
    assert.equal(report.drained, true);
    assert.equal(report.inFlightAtStart, 20);
    assert.equal(report.abandoned, 0);
    assert.ok(report.ms >= 250, `close returned after ${report.ms} ms, before the calls finished`);
  } finally {
    client.close();
    await server.close(0);
  }
});

test('close past its deadline forces: calls that never answer are cut off and counted', async () => {
  const { server, registry } = await startProbe();
  const client = probeClient(PROTO, server.address);
  try {
    const stuck = Array.from({ length: 3 }, () => echo(client, { delay_ms: -1 }, 10_000));
    const quick = echo(client, { text: 'quick' });
    assert.equal(await quick, 'quick');
    await waitFor(() => server.calls.inFlight === 3);
    const t0 = Date.now();
    const report = await server.close(300);
    assert.equal(report.drained, false);
    assert.equal(report.abandoned, 3);
    assert.deepEqual(await Promise.all(stuck), [status.UNAVAILABLE, status.UNAVAILABLE, status.UNAVAILABLE]);
    assert.ok(Date.now() - t0 < 3000, 'the cut-off calls must end at the deadline, not at their own');
    assert.equal(server.calls.inFlight, 0);
    const text = await registry.metrics();
    assert.equal(sampleSum(text, 'grpc_server_handled_total', { grpc_code: 'Unavailable' }), 3);
    assert.equal(sampleSum(text, 'grpc_server_handled_total'), 4);
  } finally {
    client.close();
  }
});

test('a port in use is a config error; the shipped protos resolve and are in the package', async () => {
  const { server } = await startProbe();
  try {
    await assert.rejects(
      startGrpcServer({ port: server.port, registry: new Registry(), services: [] }),
      (err: unknown) => isPeaklabError(err, 'PL_CONFIG_INVALID'),
    );
  } finally {
    await server.close(0);
  }
  assert.match(shippedProto('counter.proto'), /proto[/\\]counter\.proto$/);
  assert.throws(
    () => shippedProto('nope.proto'),
    (err: unknown) => isPeaklabError(err, 'PL_FILE_INVALID'),
  );
  assert.throws(
    () => loadService(PROTO, 'probe.Req'),
    (err: unknown) => isPeaklabError(err, 'PL_PROTO_INVALID'),
  );
  // An installed package must carry proto/: npm's own file list says what a tarball holds.
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    timeout: 60_000,
  });
  const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map(
    (f) => f.path,
  );
  assert.ok(files.includes('proto/counter.proto'), 'proto/counter.proto is not in the package');
  assert.ok(files.includes('proto/grpc/health/v1/health.proto'), 'health.proto is not in the package');
  assert.ok(files.includes('dist/src/platform/grpc/proto.js'), 'run `npm run build` first');
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
