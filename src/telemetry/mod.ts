export { HTTP_BUCKETS, registerHttpMetrics, registerMetricsRoute } from './http-metrics.js';
export { createMetricsRegistry } from './registry.js';
