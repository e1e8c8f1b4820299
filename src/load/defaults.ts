/** The defaults of `runLoad` and `peaklab load`, in one place so the CLI help and docs agree. */
export const DEFAULTS = {
  /**
   * The open model is the default: without --rate or --vus a run uses this profile (vegeta's
   * default rate, 50 requests/s), for `durationMs` unless --duration or --requests says otherwise.
   */
  rate: 'constant:50',
  /** Used when neither a duration nor a request count is given, and the profile has no length. */
  durationMs: 10_000,
  /** Keep-alive connections in the open model (the closed model uses one per virtual user). */
  openConnections: 50,
  timeoutMs: 10_000,
  /** Closed model: no pause between a response and the user's next request. */
  thinkMs: 0,
  threads: 1,
  method: 'GET',
  /**
   * Open model without --max-inflight: at most this many open requests (in flight plus waiting for
   * a connection). It bounds memory when the server stalls (~100 bytes per waiting request, so
   * ~10 MB); starts beyond it count as dropped.
   */
  openMaxInflight: 100_000,
  /** Concurrent streams per gRPC connection before the engine queues. */
  grpcStreamsPerConnection: 100,
  /** A request sent this much after its intended start counts as late. */
  lateAfterMs: 10,
  /** After Ctrl+C, how long requests in flight get to finish. */
  graceMs: 1_000,
  /** How long the pre-flight TCP connect may take before the target counts as unreachable. */
  preflightMs: 2_000,
} as const;
