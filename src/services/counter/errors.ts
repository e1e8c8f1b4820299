/**
 * The counter domain's errors, with stable codes (tests and the gRPC adapter match on them). The
 * domain knows no transport: grpc-handler.ts maps each code to a gRPC status.
 */
export const COUNTER_ERRORS = {
  /** The value is below zero: the seed's counter only counts up. */
  NEGATIVE_VALUE: 'Value cannot be negative',
  /** The value is not an integer (cannot come through the proto's int32; guards direct callers). */
  INVALID_VALUE: 'Value must be an integer',
  /** The total would leave the signed 64-bit range; nothing was changed. */
  OUT_OF_RANGE: 'the total would overflow a signed 64-bit integer',
  /** The bounded queue (inputq) or the lock's waiting line (mutex) is full: shed, retry later. */
  OVERLOADED: 'too many increments waiting',
  /** The counter is shutting down and takes no new increments. */
  STOPPING: 'the counter is shutting down',
  /** Accepted but never applied: the shutdown deadline passed first. */
  DROPPED: 'dropped at shutdown: the drain deadline passed before this increment ran',
  /** The store failed or timed out; the increment may or may not have been applied. */
  STORE_FAILED: 'the counter store failed',
} as const;

export type CounterErrorCode = keyof typeof COUNTER_ERRORS;

export class CounterError extends Error {
  readonly code: CounterErrorCode;

  /** `detail` is appended to the code's fixed message, after a colon. */
  constructor(code: CounterErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail === undefined ? COUNTER_ERRORS[code] : `${COUNTER_ERRORS[code]}: ${detail}`, options);
    this.name = 'CounterError';
    this.code = code;
  }
}

/** A CounterError as is; anything else (a driver's error) as STORE_FAILED with its message. */
export function asCounterError(err: unknown): CounterError {
  if (err instanceof CounterError) return err;
  return new CounterError('STORE_FAILED', err instanceof Error ? err.message : String(err), { cause: err });
}
