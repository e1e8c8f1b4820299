/** Postgres for services: open, migrate, query, and write in group-committed batches. */
export { type BatchColumn, columnLiterals, numberArrayLiteral, textArrayLiteral } from './array-literal.js';
export type { BatchWrite, ItemResults } from './batch-writer.js';
export { BatchWriter, splitOnDataError } from './batch-writer.js';
export type { SqlClient, SqlTransaction } from './client.js';
export { DataRejected, isDataError, sqlStateOf } from './errors.js';
export { isIdentifier, quoteIdent } from './ident.js';
export type { Migrations } from './migrate.js';
export { migrate } from './migrate.js';
export { openSql, type SqlDatabase, type SqlOptions } from './open.js';
