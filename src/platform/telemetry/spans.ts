import {
  type Attributes,
  context,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

/**
 * The platform's spans, on the OpenTelemetry API (the domain sees only TracerPort). Without a
 * registered SDK the API hands out non-recording spans and injects nothing, so each helper costs
 * a few calls when tracing is off. None of them throws into the application: only `fn`'s own
 * error propagates, recorded on its span. Names and attributes follow the semantic conventions
 * (messaging and database, v1.26+): `send <destination>`, `process <destination>`, `<OP> <target>`.
 */

const tracer = () => trace.getTracer('peaklab-platform');

let tracingOn = false;

/** Whether this process started the SDK (startTracing): adapters that add work per call check it. */
export function tracingEnabled(): boolean {
  return tracingOn;
}

/** Set by startTracing and its shutdown only. */
export function setTracingEnabled(on: boolean): void {
  tracingOn = on;
}

/**
 * Whether `ctx` holds a span the sampler chose not to record. A child of it would not be recorded
 * either (the parent-based samplers follow the parent, a ratio sampler decides by the same trace
 * id, always_off never records), so the helpers below skip making one: when only some requests are
 * sampled, the rest pay no span work.
 */
function unsampled(ctx: ReturnType<typeof context.active>): boolean {
  const span = trace.getSpan(ctx);
  return span !== undefined && !sampledSpan(span);
}

/**
 * Whether a child of `span` would be recorded: it records itself, or it is a parent carried in
 * from elsewhere (a `traceparent` extracted: a non-recording span) with the sampled flag set.
 * Exported for otel-tracer.ts.
 */
export function sampledSpan(span: Span): boolean {
  return span.isRecording() || (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
}

/** Runs `fn` as `span`'s active context, records a failure on it and ends it. */
async function within<T>(
  span: Span,
  ctx: ReturnType<typeof context.active>,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await context.with(trace.setSpan(ctx, span), fn);
  } catch (err) {
    try {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
    } catch {
      // Telemetry never throws into the application.
    }
    throw err;
  } finally {
    span.end();
  }
}

/** Where a message goes: `system` as semconv names it ("nats"), `destination` the subject or queue. */
export interface MessagingTarget {
  readonly system: string;
  readonly destination: string;
}

/**
 * A PRODUCER span `send <destination>` around a publish. `fn` gets the headers to send with the
 * message: the W3C `traceparent` (and `tracestate`) of this span, so the consumer continues the
 * trace. With tracing off the headers are empty.
 */
export function producerSpan<T>(
  target: MessagingTarget,
  messageId: string | undefined,
  fn: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  const attributes: Attributes = {
    'messaging.system': target.system,
    'messaging.destination.name': target.destination,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'publish',
  };
  const parent = context.active();
  if (unsampled(parent)) {
    // No span of our own, but the trace (not sampled) still crosses the queue, as W3C asks.
    const headers: Record<string, string> = {};
    try {
      propagation.inject(parent, headers);
    } catch {
      // Telemetry never throws into the application.
    }
    return fn(headers);
  }
  if (messageId !== undefined) attributes['messaging.message.id'] = messageId;
  const span = tracer().startSpan(
    `send ${target.destination}`,
    { kind: SpanKind.PRODUCER, attributes },
    parent,
  );
  const headers: Record<string, string> = {};
  try {
    propagation.inject(trace.setSpan(parent, span), headers);
  } catch {
    // Telemetry never throws into the application: the message goes without trace context.
  }
  return within(span, parent, () => fn(headers));
}

/**
 * A CONSUMER span `process <destination>` around processing one message. The trace context in its
 * headers (lower-case names, as the queue ports carry them) is the span's parent, so the message
 * stays in the producer's trace, and also its link (the messaging conventions' way to point at
 * the send, which a batch or a re-publish can make differ from the parent). A message without
 * context starts a new trace.
 */
export function consumerSpan<T>(
  target: MessagingTarget,
  headers: Readonly<Record<string, string>>,
  extra: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  let parent = ROOT_CONTEXT;
  try {
    parent = propagation.extract(ROOT_CONTEXT, headers);
  } catch {
    // A malformed traceparent: process it in a trace of its own.
  }
  const sent = trace.getSpanContext(parent);
  const links: Link[] = sent !== undefined && isSpanContextValid(sent) ? [{ context: sent }] : [];
  const span = tracer().startSpan(
    `process ${target.destination}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        'messaging.system': target.system,
        'messaging.destination.name': target.destination,
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        ...extra,
      },
    },
    parent,
  );
  return within(span, parent, fn);
}

/**
 * The active trace context as W3C headers (`traceparent`, and `tracestate` if any), for a hand-off
 * inside this process that has no messaging span of its own (the in-process queue); undefined when
 * tracing is off or no span is active, so an untraced publish allocates nothing.
 */
export function traceHeaders(): Record<string, string> | undefined {
  if (!tracingOn) return undefined;
  const active = context.active();
  if (trace.getSpan(active) === undefined) return undefined;
  const headers: Record<string, string> = {};
  try {
    propagation.inject(active, headers);
  } catch {
    return undefined;
  }
  return headers.traceparent === undefined ? undefined : headers;
}

/**
 * Runs `fn` in the trace context carried by `headers` (see traceHeaders), without a span of its
 * own: the spans `fn` starts continue that trace. Headers without a valid `traceparent` run `fn`
 * as it is.
 */
export function continuedIn<T>(headers: Readonly<Record<string, string>>, fn: () => Promise<T>): Promise<T> {
  let parent = ROOT_CONTEXT;
  try {
    parent = propagation.extract(ROOT_CONTEXT, headers);
  } catch {
    return fn();
  }
  return trace.getSpanContext(parent) === undefined ? fn() : context.with(parent, fn);
}

/** The active span's context, to link to later (a group commit's batch); undefined without one. */
export function activeSpanContext(): SpanContext | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx !== undefined && isSpanContextValid(ctx) ? ctx : undefined;
}

/**
 * An INTERNAL span for one batch written on behalf of many callers (the group commit). It links
 * to every caller's span and is the child of the first, so a batch of one order sits in that
 * order's trace and every other order finds it through its link. `db.operation.batch.size` holds
 * the item count.
 */
export function batchSpan<T>(
  name: string,
  callers: ReadonlyArray<SpanContext | undefined>,
  size: number,
  fn: () => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  let first: SpanContext | undefined;
  for (const c of callers) {
    // A caller whose trace is not sampled: a link into a trace nobody records points nowhere.
    if (c === undefined || (c.traceFlags & TraceFlags.SAMPLED) === 0) continue;
    first ??= c;
    links.push({ context: c });
  }
  if (first === undefined) {
    // Nobody who asked for the write is traced: a root span here would be noise.
    const active = trace.getActiveSpan();
    if (active === undefined || !sampledSpan(active)) return fn();
  }
  const parent = first === undefined ? context.active() : trace.setSpanContext(ROOT_CONTEXT, first);
  const span = tracer().startSpan(name, { links, attributes: { 'db.operation.batch.size': size } }, parent);
  return within(span, parent, fn);
}

/** The SQL operation of a statement: its first keyword, or the one after a leading WITH's CTEs. */
export function sqlOperation(text: string): string {
  const words = text.trim().match(/^[A-Za-z]+/);
  const first = (words?.[0] ?? 'QUERY').toUpperCase();
  if (first !== 'WITH') return first;
  const inner = /\b(INSERT|UPDATE|DELETE|SELECT)\b/i.exec(text.slice(4));
  return inner ? (inner[1] as string).toUpperCase() : 'WITH';
}

/** Where a database span points: semconv's `db.system.name` and `db.namespace`. */
export interface DbTarget {
  readonly system: string;
  readonly namespace: string;
}

/**
 * A CLIENT span `<OP> <namespace>` around one database call, with `db.system.name`,
 * `db.namespace`, `db.operation.name` and the statement text (`db.query.text`: our statements
 * are parameterised, so the text holds no values).
 */
export function dbSpan<T>(
  target: DbTarget,
  operation: string,
  text: string,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = context.active();
  // A probe or a timer (no span): not worth a trace. An unsampled request: not recorded anyway.
  const outer = trace.getSpan(parent);
  if (outer === undefined || !sampledSpan(outer)) return fn();
  const span = tracer().startSpan(
    `${operation} ${target.namespace}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': target.system,
        'db.namespace': target.namespace,
        'db.operation.name': operation,
        'db.query.text': text,
      },
    },
    parent,
  );
  return within(span, parent, fn);
}
