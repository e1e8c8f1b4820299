/**
 * Reading Prometheus metrics: the text-format parser, a bounded /metrics fetch and the wall-clock
 * scrape loop. Shared by the lab and the dashboard; depends on nothing of theirs.
 */
export {
  DEFAULT_MAX_BODY_BYTES,
  type FetchMetricsOptions,
  type FetchText,
  fetchMetricsText,
} from './fetch.js';
export { type AlignedLoop, type AlignedLoopOptions, startAlignedLoop } from './loop.js';
export {
  histogramQuantile,
  matches,
  type ParseLimits,
  type PromSample,
  parsePromLine,
  parsePromText,
  sumWhere,
} from './prom-text.js';
