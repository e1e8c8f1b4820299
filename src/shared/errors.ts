/**
 * The one registry of peaklab's error codes. Codes are stable: scripts and tests match on them,
 * so a code is never renamed or reused. `exit` is the process exit code the CLI uses for it.
 */
export const ERRORS = {
  PL_USAGE: { exit: 2, summary: 'the command line is not valid' },
  PL_CONFIG_INVALID: { exit: 2, summary: 'a configuration value is not valid' },
  PL_PROFILE_INVALID: { exit: 2, summary: 'a load rate profile is not valid' },
  PL_THRESHOLD_INVALID: { exit: 2, summary: 'a threshold expression is not valid' },
  PL_TARGET_INVALID: { exit: 2, summary: 'the load target is not valid' },
  PL_TARGET_UNREACHABLE: { exit: 2, summary: 'the load target cannot be reached' },
  PL_PROTO_INVALID: { exit: 2, summary: 'a protobuf file or gRPC call is not valid' },
  PL_FILE_INVALID: { exit: 2, summary: 'an input file is missing or not valid' },
  PL_RESULT_INVALID: { exit: 2, summary: 'a saved load result is not valid' },
  PL_THRESHOLD_FAILED: { exit: 99, summary: 'one or more thresholds failed' },
  PL_REGRESSION: { exit: 1, summary: 'the current run regressed against the baseline' },
  PL_BACKEND_UNAVAILABLE: { exit: 1, summary: 'a backend (database, queue) cannot be reached' },
  PL_MIGRATION_FAILED: { exit: 1, summary: 'a schema migration failed' },
  PL_LAB_FAILED: { exit: 1, summary: 'an experiment could not complete' },
  PL_CHILD_FAILED: { exit: 1, summary: 'a child process did not start or exited early' },
  PL_INTERRUPTED: { exit: 130, summary: 'the run was interrupted (Ctrl+C); its report is partial' },
  PL_TERMINATED: { exit: 143, summary: 'the run was stopped by SIGTERM; its report is partial' },
  PL_SHUTDOWN_UNCLEAN: {
    exit: 1,
    summary:
      'a graceful stop dropped acknowledged work, missed its deadline, or was forced by a second signal',
  },
} as const satisfies Record<string, { exit: number; summary: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class PeaklabError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PeaklabError';
    this.code = code;
    this.exitCode = ERRORS[code].exit;
  }
}

export function isPeaklabError(err: unknown, code?: ErrorCode): err is PeaklabError {
  return err instanceof PeaklabError && (code === undefined || err.code === code);
}

/** A one-line, human description of any thrown value, for logs and CLI output. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
