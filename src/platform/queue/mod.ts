/** Work queues: the ports, the in-process adapter, and the worker pool that drains any of them. */
export { type DeadLetter, MemoryWorkQueue, openMemoryQueue } from './memory.js';
export type {
  Codec,
  Delivery,
  MessageHeaders,
  PublishOptions,
  UndecodableHandler,
  WorkQueue,
  WorkSource,
} from './types.js';
export { createWorkerPool, type FailureKind, WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
