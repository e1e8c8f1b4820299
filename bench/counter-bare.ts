/**
 * The reference for the counter benchmark: a minimal @grpc/grpc-js server of the same proto that
 * answers the same message ("Incremented value is N" after a plain `n += value`), with none of the
 * service's parts (no interceptor, metrics, health, mode or store). Run as its own process by
 * bench/counter.ts; prints a `listening` JSON line with its grpc:// url.
 */
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { loadService, shippedProto } from '../src/platform/grpc/proto.js';

let n = 0;
const server = new Server();
server.addService(loadService(shippedProto('counter.proto'), 'counter.incrementCounter'), {
  increment(call: ServerUnaryCall<{ value: number }, unknown>, cb: sendUnaryData<{ message: string }>) {
    n += call.request.value;
    cb(null, { message: `Incremented value is ${n}` });
  },
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `grpc://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
