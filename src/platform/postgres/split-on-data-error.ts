import { describeError } from '../../shared/errors.js';
import type { BatchWrite, ItemResults } from '../batch/mod.js';
import { DataRejected, isDataError, sqlStateOf } from './errors.js';

/**
 * Wraps a batch write so that a batch the database refuses for the data in it (SQLSTATE class 22
 * or 23) is split in halves until only the bad items fail, each with a DataRejected; its
 * neighbours commit. One bad item among n costs about 2·log2(n) statements. Any other error (a
 * connection lost, a timeout) is the backend's: it fails the whole batch, unsplit.
 */
export function splitOnDataError<T, R>(write: BatchWrite<T, R>): BatchWrite<T, R> {
  const attempt = async (batch: T[]): Promise<ItemResults<R>> => {
    try {
      return await write(batch);
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (batch.length === 1) {
        const state = sqlStateOf(err) as string;
        return [new DataRejected(describeError(err), state, { cause: err })];
      }
      const mid = batch.length >> 1;
      const head = await attempt(batch.slice(0, mid));
      const tail = await attempt(batch.slice(mid));
      return head.concat(tail);
    }
  };
  return attempt;
}
