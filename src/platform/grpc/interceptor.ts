import { performance } from 'node:perf_hooks';
import {
  type Metadata,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
  status,
} from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';
import { grpcCodeLabel } from './codes.js';

/** Who is calling what: `service` is fully qualified ("counter.incrementCounter"). */
export interface CallInfo {
  service: string;
  method: string;
  /** "host:port" of the client, or "unknown". */
  peer: string;
  /** The request's metadata (headers): where a `traceparent` to continue would be. */
  metadata: Metadata;
}

/** How a call ended: its gRPC status code, details, and seconds from arrival to the status. */
export interface CallOutcome {
  code: number;
  details: string;
  seconds: number;
}

/**
 * Optional per-call hook (for tracing spans until the platform's tracing lands): called when a
 * call's metadata arrives; the function it returns, if any, is called once with the outcome. A
 * call that ends before its metadata arrives is not observed. Exceptions it throws are
 * swallowed: telemetry never breaks a call.
 */
export type CallObserver = (call: CallInfo) => ObservedCall | undefined;

/**
 * What an observer returns: called once with the call's outcome. `run`, if set, wraps the
 * delivery of the call's message and half-close to the handler, so the handler runs inside it (a
 * tracing observer runs it in its span's context: the handler's own spans become its children).
 */
export interface ObservedCall {
  (outcome: CallOutcome): void;
  run?<T>(fn: () => T): T;
}

/** Calls between arrival and their one outcome, for graceful shutdown. */
export interface CallTracker {
  readonly inFlight: number;
  /** Resolves when no call is in flight (at once if none is). */
  idle(): Promise<void>;
  /**
   * Ends every call in flight with UNAVAILABLE and `details` (recorded as their outcome); returns
   * how many. For a shutdown past its deadline: grpc-js's forceShutdown does not reset the
   * connections when channelz is off (1.14: it only walks the channelz session map), so calls
   * that never answer would otherwise hang on until their clients' deadlines.
   */
  abortAll(details: string): number;
}

/** Handling time buckets in seconds: 100 µs (a local counter) to 10 s (a stalled dependency). */
export const GRPC_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

interface PathMetrics {
  service: string;
  method: string;
  started: ReturnType<Counter<'grpc_service' | 'grpc_method'>['labels']>;
  seconds: ReturnType<Histogram<'grpc_service' | 'grpc_method'>['labels']>;
  handled: Map<number, ReturnType<Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>['labels']>>;
}

/**
 * A server interceptor recording the RED metrics of every call to a registered method, in the
 * go-grpc-prometheus shape, into `registry`:
 * - `grpc_server_started_total{grpc_service,grpc_method}`: calls that arrived;
 * - `grpc_server_handled_total{grpc_service,grpc_method,grpc_code}`: exactly one per call, at its
 *   first outcome: the status the handler sent, `DeadlineExceeded` when the server's deadline
 *   timer fired first, or `Canceled` when the client hung up first (a client whose own deadline
 *   passes usually cancels a moment before the server's timer, so that shows as Canceled);
 * - `grpc_server_handling_seconds{grpc_service,grpc_method}`: histogram of the same, in seconds.
 * started − Σ handled = calls in flight. Calls to unknown methods are answered `Unimplemented` by
 * grpc-js before any interceptor runs, so they appear in none of these.
 */
export function createServerInterceptor(opts: { registry: Registry; observer?: CallObserver }): {
  interceptor: ServerInterceptor;
  tracker: CallTracker;
} {
  const registers = [opts.registry];
  const started = new Counter({
    name: 'grpc_server_started_total',
    help: 'gRPC calls started on the server, by service and method',
    labelNames: ['grpc_service', 'grpc_method'] as const,
    registers,
  });
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'gRPC calls completed on the server, by service, method and status code',
    labelNames: ['grpc_service', 'grpc_method', 'grpc_code'] as const,
    registers,
  });
  const seconds = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'gRPC call handling time, from arrival to the status, in seconds',
    labelNames: ['grpc_service', 'grpc_method'] as const,
    buckets: GRPC_BUCKETS,
    registers,
  });
  const byPath = new Map<string, PathMetrics>();
  const metricsFor = (path: string): PathMetrics => {
    let m = byPath.get(path);
    if (m === undefined) {
      // "/pkg.Service/Method"; the path of a registered method always has this shape.
      const slash = path.lastIndexOf('/');
      const service = path.slice(1, slash);
      const method = path.slice(slash + 1);
      const labels = { grpc_service: service, grpc_method: method };
      m = {
        service,
        method,
        started: started.labels(labels),
        seconds: seconds.labels(labels),
        handled: new Map(),
      };
      byPath.set(path, m);
    }
    return m;
  };

  const active = new Set<(details: string) => void>();
  let idleWaiters: Array<() => void> = [];
  const tracker: CallTracker = {
    get inFlight() {
      return active.size;
    },
    idle: () => (active.size === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
    abortAll(details) {
      const aborts = [...active];
      for (const abort of aborts) abort(details);
      return aborts.length;
    },
  };

  const interceptor: ServerInterceptor = (
    descriptor: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ) => {
    const t0 = performance.now();
    const m = metricsFor(descriptor.path);
    m.started.inc();
    let end: ObservedCall | undefined;
    let done = false;
    const observe = (metadata: Metadata) => {
      if (opts.observer === undefined || done) return;
      try {
        end =
          opts.observer({ service: m.service, method: m.method, peer: call.getPeer(), metadata }) ??
          undefined;
      } catch {
        // Telemetry never throws into the call.
      }
    };
    const finish = (code: number, details: string) => {
      if (done) return;
      done = true;
      const s = (performance.now() - t0) / 1000;
      let child = m.handled.get(code);
      if (child === undefined) {
        child = handled.labels({
          grpc_service: m.service,
          grpc_method: m.method,
          grpc_code: grpcCodeLabel(code),
        });
        m.handled.set(code, child);
      }
      child.inc();
      m.seconds.observe(s);
      if (end !== undefined) {
        try {
          end({ code, details, seconds: s });
        } catch {
          // Telemetry never throws into the call.
        }
      }
      active.delete(abort);
      if (active.size === 0 && idleWaiters.length > 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    };
    // Sent below this interceptor, so `finish` records it here, once.
    const abort = (details: string) => {
      finish(status.UNAVAILABLE, details);
      call.sendStatus({ code: status.UNAVAILABLE, details, metadata: null });
    };
    active.add(abort);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            observe(metadata);
            nextMetadata(metadata);
          },
          onReceiveMessage: (message, nextMessage) => {
            const run = end?.run;
            if (run === undefined) nextMessage(message);
            else run(() => nextMessage(message));
          },
          onReceiveHalfClose: (next) => {
            const run = end?.run;
            if (run === undefined) next();
            else run(next);
          },
          // grpc-js also signals "cancel" after a normal status, to clean up; `done` makes the
          // status the handler sent win. A deadline that passed is sent below this layer, so
          // it arrives here as a cancel too: tell the two apart by the deadline.
          onCancel: () => {
            const deadline = call.getDeadline();
            const ms = deadline instanceof Date ? deadline.getTime() : deadline;
            if (Number.isFinite(ms) && Date.now() >= ms)
              finish(status.DEADLINE_EXCEEDED, 'Deadline exceeded');
            else finish(status.CANCELLED, 'cancelled by the client');
          },
        }),
      sendStatus: (st, next) => {
        finish(st.code ?? status.UNKNOWN, st.details ?? '');
        next(st);
      },
    });
  };
  return { interceptor, tracker };
}
