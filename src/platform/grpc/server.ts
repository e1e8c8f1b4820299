import {
  type ChannelOptions,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { PeaklabError } from '../../shared/errors.js';
import { grpcServerSpans } from '../telemetry/grpc-spans.js';
import { tracingEnabled } from '../telemetry/spans.js';
import { createHealthService, type HealthService } from './health.js';
import { type CallObserver, type CallTracker, createServerInterceptor } from './interceptor.js';

/** One service to serve: its definition (see loadService), handlers, and its health name. */
export interface GrpcServiceRegistration {
  /** Fully qualified name, as health checks ask for it: "counter.incrementCounter". */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  /** Address to listen on; default 127.0.0.1 (0.0.0.0 in a container). */
  host?: string;
  /** TCP port; 0 picks a free one (read it back from the handle). */
  port: number;
  services: GrpcServiceRegistration[];
  /** Where the RED metrics go (see createServerInterceptor). */
  registry: Registry;
  /** Optional per-call hook; unset while tracing is on = a SERVER span per call (grpcServerSpans). */
  observer?: CallObserver;
  /** grpc-js options on top of the defaults below (message size limits, keep-alive...). */
  channelOptions?: ChannelOptions;
}

/** What a graceful close did: `drained` is false if the deadline forced it. */
export interface GrpcCloseReport {
  drained: boolean;
  /** Calls in flight when the close began. */
  inFlightAtStart: number;
  /** Calls still in flight at the deadline, cut off by the forced shutdown (0 if drained). */
  abandoned: number;
  /** Milliseconds the close took. */
  ms: number;
}

export interface GrpcServerHandle {
  /** "host:port" as bound. */
  readonly address: string;
  readonly port: number;
  /** The health service, registered on this server; its services start SERVING. */
  readonly health: HealthService;
  /** Calls in flight (the interceptor counts them). */
  readonly calls: CallTracker;
  /**
   * Graceful shutdown: health turns NOT_SERVING, the listener closes, open connections get a
   * GOAWAY (no new calls), calls in flight finish; after `deadlineMs` the rest end with
   * UNAVAILABLE and the server is forced down. Calling it again returns the same
   * promise. Never rejects.
   */
  close(deadlineMs: number): Promise<GrpcCloseReport>;
  /** close(), with the deadline as a signal (the lifecycle's drain deadline): forced when it aborts. */
  closeWith(signal: AbortSignal): Promise<GrpcCloseReport>;
}

/**
 * Defaults for every peaklab gRPC server. Every wait is bounded: a peer that stops answering
 * keep-alive pings is dropped after 20 s, an idle connection after 5 minutes. Channelz is off: it
 * tracks every call and costs throughput we measure.
 */
const DEFAULT_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.max_connection_idle_ms': 300_000,
  'grpc.max_concurrent_streams': 1000,
  'grpc.enable_channelz': 0,
};

/**
 * Starts a @grpc/grpc-js server with `services`, the standard health service (grpc.health.v1)
 * and the metrics interceptor. Resolves once it listens.
 * Throws PeaklabError PL_CONFIG_INVALID when the address cannot be bound (port in use, bad host).
 */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const { interceptor, tracker } = createServerInterceptor({
    registry: opts.registry,
    ...(opts.observer ? { observer: opts.observer } : tracingEnabled() ? { observer: grpcServerSpans } : {}),
  });
  const server = new Server({ ...DEFAULT_OPTIONS, ...opts.channelOptions, interceptors: [interceptor] });
  const health = createHealthService();
  server.addService(health.definition, health.implementation);
  for (const s of opts.services) {
    server.addService(s.definition, s.implementation);
    health.set(s.name, 'SERVING');
  }
  const hostPort = host.includes(':') ? `[${host}]:${opts.port}` : `${host}:${opts.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(hostPort, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  ).catch((err: unknown) => {
    server.forceShutdown();
    throw new PeaklabError(
      'PL_CONFIG_INVALID',
      `gRPC cannot listen on ${hostPort}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  });
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

  let closing: Promise<GrpcCloseReport> | undefined;
  const closeWith = (signal: AbortSignal): Promise<GrpcCloseReport> => {
    closing ??= (async () => {
      const t0 = Date.now();
      const inFlightAtStart = tracker.inFlight;
      health.shutdown();
      let onAbort: (() => void) | undefined;
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true))),
        new Promise<boolean>((resolve) => {
          onAbort = () => resolve(false);
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      const abandoned = drained ? 0 : tracker.abortAll('the server shut down before this call finished');
      if (!drained) server.forceShutdown();
      return { drained, inFlightAtStart, abandoned, ms: Date.now() - t0 };
    })();
    return closing;
  };
  const close = (deadlineMs: number) => closeWith(AbortSignal.timeout(Math.max(0, deadlineMs)));

  return { address, port, health, calls: tracker, close, closeWith };
}
