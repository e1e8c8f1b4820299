/** The load generator's public API: run a load, read and report results, compare runs. */
export { runLoad } from './run.js';
export type {
  LatencySummary,
  LoadHooks,
  LoadOptions,
  LoadResult,
  LoadSummary,
  SecondStats,
  ThresholdOutcome,
} from './types.js';
