import type { Writable } from 'node:stream';

/**
 * What a command may touch of the outside world. Commands never read process.env or write to
 * process.stdout directly, so tests can drive the whole CLI in process and capture its output.
 */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: Writable & { isTTY?: boolean };
  readonly err: Writable & { isTTY?: boolean };
  /** Set by a command's action; `main` returns it. */
  exitCode: number;
}
