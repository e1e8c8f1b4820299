/**
 * Postgres errors, told apart by SQLSTATE: a statement refused for the values in it is the data's
 * fault, and retrying the same values cannot help; anything else (a connection lost, a missing
 * table, a timeout) is the backend's, and may pass.
 */

/** The database refused one item's data (SQLSTATE class 22, data exception, or 23, integrity). */
export class DataRejected extends Error {
  override readonly name = 'DataRejected';

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
