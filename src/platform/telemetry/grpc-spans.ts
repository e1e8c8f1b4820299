import type { Metadata } from '@grpc/grpc-js';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import type { CallObserver, ObservedCall } from '../grpc/interceptor.js';

const METADATA_GETTER: TextMapGetter<Metadata> = {
  keys: (m) => Object.keys(m.getMap()),
  get: (m, key) => {
    const v = m.get(key);
    return v.length === 0 ? undefined : String(v[0]);
  },
};

/**
 * The gRPC server span, as a CallObserver for the platform's interceptor: a SERVER span
 * `<service>/<method>` per call, continuing a `traceparent` sent in the call's metadata, with the
 * RPC conventions' attributes (`rpc.system=grpc`, `rpc.service`, `rpc.method`,
 * `rpc.grpc.status_code`) and ERROR status for any code but OK. The handler runs in the span's
 * context, so the spans it starts are the call's children. The interceptor swallows what an
 * observer throws, so a telemetry fault never reaches the call.
 */
export const grpcServerSpans: CallObserver = (call) => {
  const parent = propagation.extract(ROOT_CONTEXT, call.metadata, METADATA_GETTER);
  const span = trace.getTracer('peaklab-platform').startSpan(
    `${call.service}/${call.method}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': call.service,
        'rpc.method': call.method,
        'network.peer.address': call.peer,
      },
    },
    parent ?? context.active(),
  );
  const end: ObservedCall = (outcome) => {
    span.setAttribute('rpc.grpc.status_code', outcome.code);
    if (outcome.code !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.details });
    span.end();
  };
  // The handler runs in the span's context: its Redis or Postgres spans are the call's children.
  const active = trace.setSpan(parent, span);
  end.run = (fn) => context.with(active, fn);
  return end;
};
