import { InjectedFault } from './faults.js';

/**
 * The store refused the order's own data (SQLSTATE class 22, data exception, or 23, integrity
 * constraint): retrying the same row cannot help, so it is the order's fault, not the backend's.
 */
export class OrderRejected extends Error {
  override readonly name = 'OrderRejected';

  constructor(
    message: string,
    readonly sqlState: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The SQLSTATE of a database error (pg and PGlite both set `code`), if it has one. */
export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Class 22 or 23: the statement failed because of the values in it, not the connection. */
export function isDataError(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

/**
 * Whether a failed attempt is the order's own fault (an injected fault, or data the store
 * refuses): it then counts toward --max-attempts and ends in the dead-letter queue. Anything else
 * (a connection refused, a missing table) is the backend's fault and is retried without limit.
 */
export function isOrderFault(err: unknown): boolean {
  return err instanceof InjectedFault || err instanceof OrderRejected;
}
