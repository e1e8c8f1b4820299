/** `peaklab lab locks`: the counter's modes under the same closed-model gRPC load, one report. */
export { answerLocks } from './answer.js';
export { locksOptions, readLocksSettings } from './config.js';
export { renderLocksReport } from './report.js';
export { type LocksDeps, runLocks } from './run.js';
export type { LockStep, LockStore, LocksResult, LocksSettings } from './types.js';
