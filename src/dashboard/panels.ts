/**
 * The dashboard's panels: the Grafana overview's panels (docs/metrics.md), drawn from the raw
 * /metrics text of each target, and the load generator's own per-second view.
 */

/** A panel of every target's section, in page order. */
export type ServerPanelId =
  | 'rate'
  | 'errors'
  | 'latency'
  | 'status'
  | 'work'
  | 'queue'
  | 'e2e'
  | 'cpu'
  | 'lag'
  | 'heap';

/** A panel of the client (load generator) section. */
export type ClientPanelId = 'client-rate' | 'client-latency' | 'client-errors' | 'client-lag';

export type PanelId = ServerPanelId | ClientPanelId;

export interface PanelSpec {
  id: PanelId;
  title: string;
  /** The y axis label, with the unit. */
  unit: string;
  /** Draw the series stacked (areas), as the overview's status and Work Done graphs are. */
  stacked?: boolean;
  /** The metric family the panel is computed from: named in "no data from this target". */
  metric?: string;
}

export const SERVER_PANELS: readonly PanelSpec[] = [
  { id: 'rate', title: 'Request rate by route', unit: 'req/s', metric: 'http_requests_total' },
  { id: 'errors', title: 'Errors (5xx) by route', unit: 'req/s', metric: 'http_requests_total' },
  {
    id: 'latency',
    title: 'Duration p50 / p99 by route',
    unit: 'ms',
    metric: 'http_request_duration_seconds',
  },
  {
    id: 'status',
    title: 'Responses by status',
    unit: 'responses/s',
    stacked: true,
    metric: 'http_requests_total',
  },
  { id: 'work', title: 'Work Done', unit: 'orders/s', stacked: true, metric: 'work_done_total' },
  { id: 'queue', title: 'Queue depth', unit: 'orders', metric: 'orders_queue_depth' },
  { id: 'e2e', title: 'End-to-end p50 / p99', unit: 'ms', metric: 'orders_end_to_end_seconds' },
  { id: 'cpu', title: 'CPU', unit: 'cores', metric: 'process_cpu_seconds_total' },
  { id: 'lag', title: 'Event-loop lag', unit: 'ms', metric: 'nodejs_eventloop_lag_seconds' },
  { id: 'heap', title: 'Heap used', unit: 'MiB', metric: 'nodejs_heap_size_used_bytes' },
];

export const CLIENT_PANELS: readonly PanelSpec[] = [
  { id: 'client-rate', title: 'Client: target rate and requests started', unit: 'req/s' },
  { id: 'client-latency', title: 'Client: latency from the intended start, p50 / p99', unit: 'ms' },
  { id: 'client-errors', title: 'Client: errors by kind', unit: 'errors/s' },
  { id: 'client-lag', title: 'Client: scheduling lag', unit: 'ms' },
];

/**
 * One second of the load generator's own results, as `pushClient` takes it. Latencies are measured
 * from each request's intended start (no coordinated omission); null when nothing completed.
 */
export interface ClientSecond {
  /** The profile's target rate in this second, requests/s (0 in the closed model). */
  targetRate: number;
  /** Requests started in this second. */
  started: number;
  /** ms, over the requests completed in this second; null when none completed. */
  p50: number | null;
  p99: number | null;
  /** Error kind ("timeout", "econnrefused", "status 500", ...) to the count in this second. */
  errorsByKind: Readonly<Record<string, number>>;
  /** ms the scheduler started requests after their intended time (e.g. its max this second). */
  schedulingLag: number | null;
}
