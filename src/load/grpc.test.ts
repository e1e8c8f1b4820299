import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { grpcFailureKind } from './grpc-transport.js';
import { runLoad } from './mod.js';
import { runCli } from './testing/cli.js';

const PROTO = `syntax = "proto3";
package counter;
service Counter { rpc Add (AddRequest) returns (AddReply); }
message AddRequest { int32 value = 1; string id = 2; }
message AddReply { int64 total = 1; }
`;

interface AddRequest {
  value: number;
  id: string;
}

/** A real grpc-js server on 127.0.0.1, port 0: Add sums values; value 13 is refused. */
async function startCounter(protoPath: string) {
  const pkg = loadPackageDefinition(loadSync(protoPath)) as unknown as {
    counter: { Counter: { service: import('@grpc/grpc-js').ServiceDefinition } };
  };
  let total = 0;
  const ids = new Set<string>();
  const server = new Server();
  server.addService(pkg.counter.Counter.service, {
    Add(call: ServerUnaryCall<AddRequest, unknown>, cb: sendUnaryData<unknown>) {
      if (call.request.value === 13) return cb({ code: status.INVALID_ARGUMENT, details: 'unlucky' });
      if (call.request.value === 7) return setTimeout(() => cb(null, { total }), 1000);
      total += call.request.value;
      ids.add(call.request.id);
      cb(null, { total });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    get total() {
      return total;
    },
    ids,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

test('gRPC unary: every call reaches the server, with templated data and status counts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-grpc-'));
  const proto = join(dir, 'counter.proto');
  writeFileSync(proto, PROTO);
  const server = await startCounter(proto);
  try {
    const r = await runLoad({
      target: `grpc://127.0.0.1:${server.port}`,
      rate: 'constant:100',
      durationMs: 1000,
      connections: 2,
      grpc: { proto, call: 'counter.Counter/Add', data: '{"value":2,"id":"{{uuid}}"}' },
    });
    assert.equal(r.summary.started, 100);
    assert.equal(r.summary.status.OK, 100);
    assert.equal(server.total, 200);
    assert.equal(server.ids.size, 100);
    // Message bytes: value 2 (2 bytes) and a 36-character id (38 bytes) out; a total of 2..200 in
    // (2 bytes up to 127, then 3).
    assert.equal(r.summary.bytesOut, 100 * 40);
    assert.equal(r.summary.bytesIn, 63 * 2 + 37 * 3);

    const bad = await runLoad({
      target: `grpc://127.0.0.1:${server.port}`,
      rate: 'constant:50',
      durationMs: 400,
      grpc: { proto, call: 'counter.Counter/Add', data: '{"value":13}' },
    });
    assert.equal(bad.summary.status.INVALID_ARGUMENT, 20);
    assert.equal(bad.summary.failed, 20);

    // Our --timeout is an error kind, as for HTTP, not a status the server sent.
    const slow = await runLoad({
      target: `grpc://127.0.0.1:${server.port}`,
      rate: 'constant:20',
      durationMs: 500,
      timeoutMs: 200,
      grpc: { proto, call: 'counter.Counter/Add', data: '{"value":7}' },
    });
    assert.deepEqual(slow.summary.errors, { timeout: 10 });
    assert.deepEqual(slow.summary.status, {});
    assert.equal(slow.summary.failed, 10);

    // --ok-status takes gRPC status names: the refused calls can count as ok.
    const accepted = await runLoad({
      target: `grpc://127.0.0.1:${server.port}`,
      rate: 'constant:50',
      requests: 5,
      okStatus: 'OK,INVALID_ARGUMENT',
      grpc: { proto, call: 'counter.Counter/Add', data: '{"value":13}' },
    });
    assert.deepEqual([accepted.summary.ok, accepted.summary.failed], [5, 0]);

    const cli = await runCli([
      'load',
      `grpc://127.0.0.1:${server.port}`,
      '--rate',
      'constant:20',
      '--duration',
      '500ms',
      '--proto',
      proto,
      '--call',
      'counter.Counter/Add',
      '--data',
      '{"value":1}',
      '--threshold',
      'errors==0',
    ]);
    assert.equal(cli.code, 0, cli.err);
    assert.match(cli.out, /\[OK\]\t10 responses/);
  } finally {
    await server.close();
  }
});

test('gRPC: transport failures are error kinds; statuses a server sends stay statuses', () => {
  const UNAVAILABLE = status.UNAVAILABLE;
  assert.equal(
    grpcFailureKind(
      UNAVAILABLE,
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:9',
    ),
    'econnrefused',
  );
  assert.equal(grpcFailureKind(UNAVAILABLE, 'No connection established. Last error: null'), 'unavailable');
  assert.equal(grpcFailureKind(UNAVAILABLE, 'Connection dropped'), 'closed');
  assert.equal(grpcFailureKind(UNAVAILABLE, 'read ECONNRESET'), 'econnreset');
  assert.equal(
    grpcFailureKind(status.INTERNAL, 'Received RST_STREAM with code 2 (Call ended without gRPC status)'),
    'closed',
  );
  assert.equal(grpcFailureKind(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 0.2s'), 'timeout');
  // A server that says it is unavailable, or fails internally, answered: a status.
  assert.equal(grpcFailureKind(UNAVAILABLE, 'the shop is closed for maintenance'), undefined);
  assert.equal(grpcFailureKind(status.INTERNAL, 'boom'), undefined);
  assert.equal(grpcFailureKind(status.INVALID_ARGUMENT, 'unlucky'), undefined);
});
