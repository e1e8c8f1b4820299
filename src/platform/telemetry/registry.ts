import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per service instance (not prom-client's global), so several services can run in one
 * process (tests, the lab) without clashing. Node's default process metrics are registered on it.
 */
export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}
