import type { LatencySummary } from '../types.js';

/**
 * The shapes of a scenario (`peaklab load --scenario file.mjs`): a module whose default export is
 * `async (api: ScenarioApi) => void`, run once per flow at the open model's arrival rate of flows.
 */

/** Options of one step (one HTTP request of a flow). */
export interface StepOptions {
  /** The step's name in reports (default "METHOD /path", without the query). At most 100 names per run (per thread). */
  name?: string;
  /** Extra request headers (CR, LF and NUL refused; content-length is set by peaklab). */
  headers?: Record<string, string>;
  /** A string is sent as is; any other value as JSON (with content-type: application/json). */
  body?: unknown;
  /** Which statuses count as ok for this step (default: the run's --ok-status, 2xx and 3xx). */
  ok?: readonly number[];
}

/** A step's response. Non-ok statuses are returned, not thrown; a step without a response throws a StepError. */
export interface StepResponse {
  /** The step's name, as reported. */
  name: string;
  status: number;
  /** Whether the status counts as ok (StepOptions.ok, else --ok-status). */
  ok: boolean;
  /** The body as UTF-8 text (at most 1 MiB is kept; see `truncated`). */
  text: string;
  /** The body had more than the kept 1 MiB. */
  truncated: boolean;
  /**
   * The response's header fields by lower-case name (`r.headers['retry-after']`); a field sent more
   * than once has its values joined with ", " (as node:http does, `set-cookie` included).
   */
  headers: Readonly<Record<string, string>>;
  /** The body parsed as JSON; throws a SyntaxError when it is not JSON (or was truncated). */
  json<T = unknown>(): T;
  /** From the step's call to its response (ms): includes any wait for a free connection. */
  ms: number;
}

/** The client API a scenario function receives: one object per flow. */
export interface ScenarioApi {
  /**
   * The flow's sequence number, unique in the run: 0, 1, 2, ... in order of intended start (open
   * model, any --threads); with --vus and --threads N, thread i numbers its flows i, i+N, i+2N, ...
   */
  readonly flow: number;
  /** Values given with --var name=value (strings), or by the library caller's `vars`. */
  readonly vars: Readonly<Record<string, string>>;
  /**
   * Adds `by` (default 1) to the run's counter `name` (result.counters): outcomes the statuses do not
   * tell apart, such as the error codes in response bodies. At most 1000 names per run (per thread).
   */
  count(name: string, by?: number): void;
  /**
   * A uniform number in [0, 1) from this flow's own generator, seeded from the run's seed and `flow`
   * only: the same seed draws the same numbers for the same flow, whichever thread runs it.
   */
  random(): number;
  /** A uniform whole number in [min, max], both included. */
  randomInt(min: number, max: number): number;
  /** Waits `ms` milliseconds (a think time inside the flow; it counts in the flow's latency). */
  sleep(ms: number): Promise<void>;
  request(method: string, path: string, options?: StepOptions): Promise<StepResponse>;
  get(path: string, options?: StepOptions): Promise<StepResponse>;
  post(path: string, options?: StepOptions): Promise<StepResponse>;
  put(path: string, options?: StepOptions): Promise<StepResponse>;
  patch(path: string, options?: StepOptions): Promise<StepResponse>;
  delete(path: string, options?: StepOptions): Promise<StepResponse>;
}

/** What a scenario module's default export must be. */
export type ScenarioFn = (api: ScenarioApi) => unknown;

/** One second of one step: counted by the second its outcome was known (as SecondStats). */
export interface StepSecond {
  second: number;
  /** Steps called in this second. */
  started: number;
  completed: number;
  ok: number;
  failed: number;
  unfinished: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  /** Step latency (from the call) over the steps completed in this second. */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** This second's latency histogram (µs, HDR compressed base64), for windowed step thresholds. */
  latencyHdr?: string;
}

/**
 * One step's totals. Identities: started = ok + failed + unfinished; completed = ok + failed =
 * the sum of `status` plus the sum of `errors`.
 */
export interface StepResult {
  name: string;
  started: number;
  completed: number;
  ok: number;
  failed: number;
  /** Still in flight (or waiting for a connection) when the run had to end. */
  unfinished: number;
  status: Record<string, number>;
  /** Error kind ("timeout", "econnrefused", "flow_timeout", ...) to count: steps without a response. */
  errors: Record<string, number>;
  /** From the step's call to its outcome: includes waiting for a connection. */
  latency: LatencySummary;
  /** From the actual send to the outcome. */
  serviceTime: LatencySummary;
  timeline: StepSecond[];
  /** Whole-run histograms (µs, HDR compressed base64). */
  histograms: { latency: string; serviceTime: string };
}
