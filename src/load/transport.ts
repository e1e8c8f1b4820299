/**
 * The port between the load engine and a protocol. The engine owns timing and accounting; a
 * transport only sends one exchange and calls `done` once, whatever happens: a response (status),
 * or an error of a kind, never both.
 */
export class Exchange {
  /** Intended start and actual (first) send, in performance.now() milliseconds. */
  intended = 0;
  sent = 0;
  /** HTTP status or gRPC status name of the response; "" when the request ended in an error. */
  status = '';
  /** Whether the status counts as ok (--ok-status). */
  ok = false;
  /** Error kind ("timeout", "econnrefused", "closed", ...) when it ended without a whole response. */
  error = '';
  /** Body bytes received (all hops of a followed redirect chain) and sent. */
  bytesIn = 0;
  bytesOut = 0;
  /** The start of a failed response's body or the error message, for --errors-log. */
  excerpt = '';
  /** The response body, only when the transport keeps bodies (scenario steps read them). */
  body: Buffer | undefined = undefined;
  /** The response's header fields (lower-case names, in order), only when bodies are kept too. */
  headers: Array<[string, string]> | undefined = undefined;
  /** The engine's list of exchanges in flight (intrusive: no allocation per request). */
  prev: Exchange | undefined = undefined;
  next: Exchange | undefined = undefined;

  constructor(
    readonly seq: number,
    /** The second of the schedule it was due in (intended start), never negative. */
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
  /** Releases connections; exchanges still in flight are the engine's (it counts them unfinished). */
  close(): Promise<void>;
}

/** How much of a failed response's body (or an error message) the errors log keeps. */
export const EXCERPT_BYTES = 512;
