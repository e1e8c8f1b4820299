import { status } from '@grpc/grpc-js';

/**
 * The `grpc_code` label values, as go-grpc-prometheus writes them (Go's `codes.Code.String()`:
 * "OK", "InvalidArgument", "OutOfRange"...). The metric names come from that library, so the
 * dashboards and alerts written for it (`grpc_code!="OK"`) work unchanged on our servers.
 */
const NAMES: Readonly<Record<number, string>> = {
  [status.OK]: 'OK',
  [status.CANCELLED]: 'Canceled',
  [status.UNKNOWN]: 'Unknown',
  [status.INVALID_ARGUMENT]: 'InvalidArgument',
  [status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [status.NOT_FOUND]: 'NotFound',
  [status.ALREADY_EXISTS]: 'AlreadyExists',
  [status.PERMISSION_DENIED]: 'PermissionDenied',
  [status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [status.ABORTED]: 'Aborted',
  [status.OUT_OF_RANGE]: 'OutOfRange',
  [status.UNIMPLEMENTED]: 'Unimplemented',
  [status.INTERNAL]: 'Internal',
  [status.UNAVAILABLE]: 'Unavailable',
  [status.DATA_LOSS]: 'DataLoss',
  [status.UNAUTHENTICATED]: 'Unauthenticated',
};

/** The `grpc_code` label for a status code; an out-of-spec number becomes "Code(<n>)", as in Go. */
export function grpcCodeLabel(code: number): string {
  return NAMES[code] ?? `Code(${code})`;
}
