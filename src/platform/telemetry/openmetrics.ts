import { type Metric, type OpenMetricsContentType, Registry } from 'prom-client';

/**
 * The registry rendered as OpenMetrics text (with exemplars), leaving the registry itself in the
 * Prometheus text format. prom-client formats per registry, and its OpenMetrics rendering strips
 * `_total` from a counter's name in place, which would break the next Prometheus-format scrape; so
 * the metrics are registered in a throwaway OpenMetrics registry, each counter behind an object
 * that shadows its `name` (the rename lands on the shadow; values are read from the original).
 */
export async function openMetricsText(registry: Registry): Promise<string> {
  const view = new Registry<OpenMetricsContentType>();
  view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  // getMetricsAsArray() is typed as plain objects, but holds the metric instances themselves.
  const metrics = registry.getMetricsAsArray() as unknown as Array<Metric & { type?: string; name: string }>;
  for (const metric of metrics) {
    const shown: Metric =
      metric.type === 'counter'
        ? Object.create(metric, { name: { value: metric.name, writable: true } })
        : metric;
    view.registerMetric(shown);
  }
  return view.metrics();
}

/** True when a scrape asks for OpenMetrics (Prometheus does when exemplar storage is on). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept?.includes('application/openmetrics-text') === true;
}

export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;
