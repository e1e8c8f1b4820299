/**
 * The `counter` service (issue 9): the seed's gRPC counter, `counter.incrementCounter/increment`,
 * where an increment is a read, an await and a write, protected four ways (mutex, inputq, atomic,
 * unsafe) over a memory or a Redis store.
 */
export {
  COUNTER_RULES,
  COUNTER_SPEC,
  type CounterConfig,
  counterConfig,
  STORES,
  type StoreKind,
} from './config.js';
export { CounterError, type CounterErrorCode } from './errors.js';
export { COUNTER_SERVICE, STATUS_OF } from './grpc-handler.js';
export { MemoryStore } from './memory-store.js';
export { type CounterStore, type Incrementer, MODES, type Mode, type StopReport } from './ports.js';
export { RedisStore } from './redis-store.js';
export { type CounterDeps, type RunningCounter, startCounter } from './service.js';
export { createIncrementer, type IncrementerOptions } from './strategy.js';
