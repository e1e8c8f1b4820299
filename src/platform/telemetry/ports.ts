/**
 * The telemetry a domain records into, as ports: a domain module imports these types and never a
 * metrics or tracing library. prom-client's labelled children (`counter.labels(...)`) and unlabelled
 * metrics satisfy them as they are, so the adapter adds no call on the hot path.
 */

/** Only goes up: events, in the unit its name says. */
export interface CounterPort {
  inc(by?: number): void;
}

/** Goes up and down: a level such as orders in flight. */
export interface GaugePort {
  inc(by?: number): void;
  dec(by?: number): void;
  set(value: number): void;
}

/** A distribution of observations, in the unit its name says (seconds, for durations). */
export interface HistogramPort {
  observe(value: number): void;
}

/** Span attributes: OpenTelemetry's attribute values, kept to the primitive ones. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

/**
 * Runs `fn` inside a span named `name`. The span is the active one while `fn` runs, so spans that
 * adapters start beneath it (a database query) become its children. A failure of `fn` is recorded
 * on the span and rethrown unchanged.
 */
export interface TracerPort {
  inSpan<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>): Promise<T>;
}
