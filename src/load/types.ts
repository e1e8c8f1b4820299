import type { StepResult } from './scenario/types.js';

/**
 * The public shapes of the load library: what `runLoad` takes and what it returns.
 * The lab, the CLI and the reports all build on these; fields may be added, never renamed or removed.
 * The result's JSON form is versioned by `schema`.
 */

export interface LoadOptions {
  /** http(s)://host:port/path, or grpc://host:port for gRPC. May contain {{templates}}. */
  target: string;
  /** HTTP only, as are headers and body (refused for grpc://). */
  method?: string;
  /**
   * HTTP: send each request a fresh W3C `traceparent` (sampled) whose trace id is this run prefix
   * (16 hex digits) plus the request's sequence number; the result then names the trace ids of the
   * slowest requests (`slowest`). Set by `--trace-propagate` (trace-propagate.ts).
   */
  traceIdPrefix?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  /**
   * The request body: text whose {{templates}} are filled per request, or "@file": the file's bytes,
   * sent exactly as they are (binary-safe, no templating unless `templateBody`).
   */
  body?: string;
  /** Fill {{templates}} in a "@file" body too (the file is then read as UTF-8 text). */
  templateBody?: boolean;
  /** https:// only: do not verify the server's certificate (a self-signed test server). */
  insecure?: boolean;
  /**
   * Open model: poll for µs-precise starts at every rate. By default starts less than 10 ms apart
   * go out on ~1 ms timer ticks (lag charged to latency) so the generator does not fill a core.
   */
  preciseStarts?: boolean;
  /**
   * A file of bodies instead of `body`: a JSON array of base64 strings. Request number `seq` (unique
   * across threads) sends body `seq % length`, exactly as decoded: a mix of payloads in one run.
   */
  bodyList?: string;
  /**
   * Which responses count as ok: HTTP codes, classes and ranges ("2xx,3xx", "200-299,404"), or gRPC
   * status names or numbers ("OK,NOT_FOUND"). Default: 2xx and 3xx for HTTP, OK for gRPC.
   */
  okStatus?: string;
  /** HTTP redirects to follow (default 0: a 3xx is the response). A followed chain is one request. */
  maxRedirects?: number;
  /**
   * Open model: a rate profile spec, e.g. "constant:100" or "sine:0..100@60s". The open model is
   * the default: without `rate` and `vus` the run uses DEFAULTS.rate.
   */
  rate?: string;
  /** Closed model: this many virtual users, each looping request then think time. */
  vus?: number;
  /** Closed model only: refused with `rate`. */
  thinkMs?: number;
  /** Stop after this long (ms) ... */
  durationMs?: number;
  /** ... or after this many requests (with both, whichever comes first). */
  requests?: number;
  connections?: number;
  timeoutMs?: number;
  /**
   * Cap on open requests (in flight plus waiting for a connection); starts beyond it count as
   * dropped. Open model default: DEFAULTS.openMaxInflight. Must be at least `threads`.
   */
  maxInflight?: number;
  threads?: number;
  /** For grpc:// targets only (refused for http://). */
  grpc?: { proto: string; call: string; data: string };
  /** File that receives every failed request (status, body excerpt, time). */
  errorsLog?: string;
  /** File that receives one JMeter CSV row per request (Jenkins' Performance plugin reads it). */
  jtl?: string;
  /** Pass/fail expressions such as "p99<200ms" or "p99[10s]<300ms"; results land in `thresholds`. */
  thresholds?: string[];
  /**
   * A scenario module (.mjs, .js, or .ts through tsx): its default export runs once per flow, and
   * `target` is the base URL of its steps. See src/load/scenario/types.ts and docs/load.md.
   */
  scenario?: string;
  /** Scenario only: a flow running longer than this (ms) ends as "flow_timeout" (default 30 s). */
  flowTimeoutMs?: number;
  /** Scenario only: values the scenario reads as `api.vars` (--var name=value). */
  vars?: Record<string, string>;
  /** Scenario only: seeds every flow's `api.random()` with this and the flow's number (default: random), on any --threads. */
  seed?: number;
}

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  maxMs: number;
  /** Keys "p10", "p25", "p50", "p75", "p90", "p95", "p99", "p99.9". */
  percentiles: Record<string, number>;
}

/**
 * One second of the run. `started`, `dropped` and `late` count by intended start; `completed`, its
 * outcomes (`ok`, `failed`, `status`, `errors`, `unfinished`) and the latencies by the second in
 * which the outcome was known.
 */
export interface SecondStats {
  /** Seconds since the run started: 0, 1, 2, ... */
  second: number;
  /**
   * "schedule": a second of the schedule (--duration, or up to the last start); "drain": after it,
   * while the last requests finish (nothing starts then). Absent in older result files.
   */
  phase?: 'schedule' | 'drain';
  /** Target rate of the profile in this second (requests/s); for closed model and drain, 0. */
  target: number;
  started: number;
  /** Requests whose outcome (a response or an error) was known in this second: ok + failed. */
  completed: number;
  /** Of `completed`: responses whose status counts as ok (see `okStatus`). */
  ok?: number;
  /** Of `completed`: responses with any other status, plus errors. */
  failed?: number;
  /** Requests still in flight when the run had to end, counted in the second it ended. */
  unfinished?: number;
  dropped: number;
  late: number;
  /** Status code ("200", "500", ...) to count of responses completed in this second. */
  status: Record<string, number>;
  /** Error kind ("timeout", "econnrefused", ...) to count: requests that ended without a response. */
  errors: Record<string, number>;
  /** Response and request bytes of the requests completed in this second (absent in older files). */
  bytesIn?: number;
  bytesOut?: number;
  /** Latency from intended start, over requests completed in this second. */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * Open model: the largest scheduling lag (ms) among the starts due in this second, i.e. how far
   * the generator itself ran behind. Absent in the closed model and in older result files.
   */
  lagMaxMs?: number;
  /** This second's latency histogram (µs, HDR compressed base64), for windowed thresholds and JTL. */
  latencyHdr?: string;
}

/**
 * The run's totals. Every request has exactly one outcome, so these identities always hold:
 * scheduled = started + dropped; started = ok + failed + unfinished; completed = ok + failed =
 * the sum of `status` plus the sum of `errors`.
 */
export interface LoadSummary {
  /** The schedule's length (ms): --duration as asked, or up to the last start; not the drain. */
  durationMs: number;
  /** After the schedule, how long the last requests took to finish (ms). Absent in older result files. */
  drainMs?: number;
  /** Requests the schedule asked for (open model), or the virtual users' iterations (closed). */
  scheduled: number;
  /** Requests sent. */
  started: number;
  /** Started requests with an outcome: ok + failed. */
  completed: number;
  /** Never sent: over --max-inflight at their start, or still queued when the run was stopped. */
  dropped: number;
  late: number;
  /** Responses whose status counts as ok (`okStatus`; default 2xx and 3xx, gRPC OK). */
  ok: number;
  /** Responses with any other status, plus requests that ended in an error (a transport failure). */
  failed: number;
  /** Started but still in flight when the run had to end: no outcome. Absent in older result files. */
  unfinished?: number;
  /** failed ÷ completed (0 when nothing completed: thresholds then fail as "no data"). */
  errorRate: number;
  targetRate: number;
  /** started ÷ the schedule's length (requests/s). */
  achievedRate: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
}

export interface LoadResult {
  schema: 'peaklab.load-result/v1';
  /** The settings of the run, as given, except that credential header values are redacted. */
  settings: LoadOptions & { model: 'open' | 'closed' };
  /** The instant the schedule's second 0 began (all threads share it). */
  startedAt: string;
  summary: LoadSummary;
  /** Latency from each request's intended start: free of coordinated omission. */
  latency: LatencySummary;
  /** Latency from the actual send: what the server took, hiding queueing in the client. */
  serviceTime: LatencySummary;
  timeline: SecondStats[];
  /**
   * When the scheduler started each request minus its intended start: how far the generator itself
   * fell behind (open model). Waiting for a free connection is not in it: that shows as `late`.
   */
  schedulingLag?: LatencySummary;
  /** Whole-run histograms (µs, HDR compressed base64), so reports can be rebuilt from the JSON. */
  histograms?: { latency: string; serviceTime: string; schedulingLag: string };
  /** True when the run was stopped early (Ctrl+C or an abort signal). */
  /** With traceIdPrefix: the slowest requests with their trace ids, slowest first. */
  slowest?: Array<{ latencyMs: number; seq: number; traceId: string }>;
  interrupted?: boolean;
  /** The outcome of each threshold, in the order given. */
  thresholds?: ThresholdOutcome[];
  /** Scenario runs: each step's counts, latencies and timeline (the summary above counts flows). */
  steps?: StepResult[];
  /** Scenario runs: the scenario's named counters (api.count). */
  counters?: Record<string, number>;
}

export interface ThresholdOutcome {
  expression: string;
  passed: boolean;
  /** True when the threshold (or one of its windows) had no samples to judge: it failed as "no data". */
  noData?: boolean;
  /** The measured value (whole run), or the worst window's value; NaN (null in JSON) with no data. */
  actual: number;
  /** For a windowed threshold that failed: the first failing window's start second (see `detail` for the worst). */
  failedAtSecond?: number;
  /** A one-line explanation for the report. */
  detail: string;
}

export interface LoadHooks {
  /** Stops sending; the run waits briefly for requests in flight, then resolves with what it has. */
  signal?: AbortSignal;
  /** Called once per finished second, in order. */
  onSecond?: (second: SecondStats) => void;
}
