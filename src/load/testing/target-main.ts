/**
 * A load target in its own process, for tests that kill it: `node target-main.js http` or
 * `node target-main.js grpc PROTO`. Prints one JSON line `{"port":N}` once it listens, counts every
 * request it receives, and answers the parent's "count" message (IPC) with that count.
 *
 * HTTP answers 200 "ok" in two writes a millisecond apart, so a kill often lands mid-body.
 * gRPC serves counter.Counter/Add from PROTO and answers after a millisecond.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let received = 0;
const ready = (port: number) => process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('message', () => process.send?.(received));

const [kind, proto] = process.argv.slice(2);
if (kind === 'grpc') {
  const grpc = await import('@grpc/grpc-js');
  const { loadSync } = await import('@grpc/proto-loader');
  const pkg = grpc.loadPackageDefinition(loadSync(proto as string)) as unknown as {
    counter: { Counter: { service: import('@grpc/grpc-js').ServiceDefinition } };
  };
  const server = new grpc.Server();
  server.addService(pkg.counter.Counter.service, {
    Add(_call: unknown, cb: (err: null, reply: { total: number }) => void) {
      received++;
      setTimeout(() => cb(null, { total: received }), 1);
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    ready(port);
  });
} else {
  const server = createServer((req, res) => {
    received++;
    req.resume();
    res.setHeader('content-length', 2);
    res.write('o');
    setTimeout(() => res.end('k'), 1);
  });
  server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
}
