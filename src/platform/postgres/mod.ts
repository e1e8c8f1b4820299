/** Postgres for services: open, migrate, query, and write in group-committed batches. */

// Group commit is the batch package's; re-exported because every SQL store uses it.
export type { BatchWrite, ItemResults } from '../batch/mod.js';
export { BatchWriter } from '../batch/mod.js';
export { type BatchColumn, columnLiterals, numberArrayLiteral, textArrayLiteral } from './array-literal.js';
export type { SqlClient, SqlTransaction } from './client.js';
export { DataRejected, isDataError, sqlStateOf } from './errors.js';
export { isIdentifier, quoteIdent } from './ident.js';
export type { Migrations } from './migrate.js';
export { migrate } from './migrate.js';
export { openSql, type SqlDatabase, type SqlOptions } from './open.js';
export { splitOnDataError } from './split-on-data-error.js';
