/**
 * The port between the load engine and a protocol. The engine owns timing and accounting; a
 * transport only sends one exchange and calls `done` once, whatever happens.
 */
export class Exchange {
  /** Intended start and actual send, in performance.now() milliseconds. */
  intended = 0;
  sent = 0;
  /** HTTP status or gRPC status name; "" when the request failed before a response. */
  status = '';
  ok = false;
  /** Error kind ("timeout", "econnrefused", ...) when the exchange failed without a response. */
  error = '';
  bytesIn = 0;
  bytesOut = 0;
  /** The start of a failed response's body or the error message, for --errors-log. */
  excerpt = '';

  constructor(
    readonly seq: number,
    readonly second: number,
  ) {}
}

export type Done = (x: Exchange) => void;

export interface Transport {
  /** How many exchanges may be in flight at once before the engine queues (connections × streams). */
  readonly capacity: number;
  /** The label of requests in reports, e.g. "GET /orders". */
  readonly label: string;
  send(x: Exchange, done: Done): void;
  close(): Promise<void>;
}

export const EXCERPT_BYTES = 512;

/** "ECONNREFUSED" / "UND_ERR_HEADERS_TIMEOUT" / ... to a short stable kind for reports. */
export function errorKind(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code.includes('TIMEOUT')) return 'timeout';
    if (code === 'UND_ERR_SOCKET') return 'socket';
    return code.replace(/^UND_ERR_/, '').toLowerCase();
  }
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  return 'error';
}
