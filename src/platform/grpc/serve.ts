import type { ServiceRuntime } from '../runtime.js';
import { announceListening } from '../server.js';
import { type GrpcServerHandle, type GrpcServerOptions, startGrpcServer } from './server.js';

export interface GrpcServeOptions extends Omit<GrpcServerOptions, 'registry'> {
  /** The listening line: what is listening ("counter gRPC") and extra fields. */
  readonly announce?: { readonly what: string; readonly fields?: Readonly<Record<string, unknown>> };
}

/**
 * startGrpcServer on a service runtime: the RED metrics go to the runtime's registry, the server's
 * stop step is registered on its lifecycle (health turns NOT_SERVING, no new calls, calls in flight
 * finish; at the drain deadline the rest end UNAVAILABLE and are counted as dropped `calls`), and
 * the `listening` line is logged with url `grpc://host:port`. Throws PL_CONFIG_INVALID when the
 * address cannot be bound.
 */
export async function serveGrpc(rt: ServiceRuntime, opts: GrpcServeOptions): Promise<GrpcServerHandle> {
  const { announce, ...rest } = opts;
  const server = await startGrpcServer({ ...rest, registry: rt.registry });
  rt.lifecycle.add({
    name: 'grpc',
    unit: 'calls',
    async drain(signal) {
      const report = await server.closeWith(signal);
      rt.logger.info({ event: 'grpc-closed', ...report }, 'gRPC server closed');
      return report.abandoned;
    },
  });
  announceListening(rt, `grpc://${server.address}`, announce?.what ?? `${rt.name} gRPC`, announce?.fields);
  return server;
}
