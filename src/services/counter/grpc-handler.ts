import {
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { CounterError, type CounterErrorCode } from './errors.js';
import type { Incrementer } from './ports.js';

/** The seed's service, as written in proto/counter.proto. */
export const COUNTER_SERVICE = 'counter.incrementCounter';

/** Request and reply of `increment`, as @grpc/proto-loader decodes them (keepCase). */
export interface IncrementBy {
  value: number;
}
export interface IncrementStatus {
  message: string;
}

/**
 * Domain error → gRPC status. INVALID_ARGUMENT and OUT_OF_RANGE are the issue's; a full queue is
 * RESOURCE_EXHAUSTED (retry later); a store failure, a stop or a drop is UNAVAILABLE, the code
 * clients treat as "try again, maybe elsewhere".
 */
export const STATUS_OF: Readonly<Record<CounterErrorCode, status>> = {
  NEGATIVE_VALUE: status.INVALID_ARGUMENT,
  INVALID_VALUE: status.INVALID_ARGUMENT,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  OVERLOADED: status.RESOURCE_EXHAUSTED,
  STOPPING: status.UNAVAILABLE,
  DROPPED: status.UNAVAILABLE,
  STORE_FAILED: status.UNAVAILABLE,
};

/**
 * The handlers of `counter.incrementCounter`: `increment({value})` answers
 * `{message: "Incremented value is N"}`, N being the total right after this increment, or a
 * status from STATUS_OF with the domain error's message ("Value cannot be negative"). An error
 * that is not a CounterError (a bug) is INTERNAL, without its text.
 */
export function counterHandlers(incrementer: Incrementer): UntypedServiceImplementation {
  return {
    increment(call: ServerUnaryCall<IncrementBy, IncrementStatus>, callback: sendUnaryData<IncrementStatus>) {
      incrementer.increment(call.request.value).then(
        (total) => callback(null, { message: `Incremented value is ${total}` }),
        (err: unknown) =>
          callback(
            err instanceof CounterError
              ? { code: STATUS_OF[err.code], details: err.message }
              : { code: status.INTERNAL, details: 'internal error' },
          ),
      );
    },
  };
}
