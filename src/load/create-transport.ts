import { createHttpTransport } from './http-transport.js';
import type { Resolved } from './options.js';
import { withTraceparent } from './trace-propagate.js';
import type { Transport } from './transport.js';

/**
 * The transport for a resolved run, with `connections` of its own (a thread's share). gRPC is
 * imported only for grpc:// targets: grpc-js and proto-loader cost ~0.3 s of CPU to load.
 */
export async function createTransport(r: Resolved, connections: number): Promise<Transport> {
  if (r.target.protocol === 'grpc') {
    const { createGrpcTransport } = await import('./grpc-transport.js');
    const grpc = r.options.grpc;
    if (!grpc) throw new Error('unreachable: resolveOptions requires grpc settings for grpc://');
    return createGrpcTransport({
      ...grpc,
      address: `${r.target.host}:${r.target.port}`,
      connections,
      timeoutMs: r.timeoutMs,
      ok: r.ok,
    });
  }
  return createHttpTransport({
    origin: r.target.origin,
    host: r.target.host,
    port: r.target.port,
    path: r.target.path,
    method: r.method,
    headers: withTraceparent(r.options.headers ?? [], r.options.traceIdPrefix),
    body: r.body,
    connections,
    timeoutMs: r.timeoutMs,
    ok: r.ok,
    maxRedirects: r.maxRedirects,
    insecure: r.options.insecure === true,
  });
}
