/**
 * Group commit for any backend: items added in one event-loop turn go out as one batch write, and
 * each add() settles with its own item's result (Postgres inserts, Redis script calls).
 */
export type { BatchWrite, BatchWriterOptions, ItemResults } from './batch-writer.js';
export { BatchWriter } from './batch-writer.js';
