/** Test targets for the dashboard: HTTP servers on port 0 that answer /metrics well, badly or not at all. */
import { serveTarget, type TestTarget } from '../scrape/serve.testing.js';

export { serveTarget, type TestTarget };

/** Prometheus text whose counters grow with each scrape; `route` is the route label's value, escaped as the format requires. */
export function countingTarget(route = '/orders'): Promise<TestTarget & { scrapes: () => number }> {
  let n = 0;
  const escaped = route.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return serveTarget((_req, res) => {
    n++;
    const text = [
      '# TYPE http_requests_total counter',
      `http_requests_total{method="GET",route="${escaped}",status="200"} ${n * 10}`,
      `http_requests_total{method="GET",route="${escaped}",status="500"} ${n}`,
      `nodejs_heap_size_used_bytes ${20 * 2 ** 20}`,
      `process_cpu_seconds_total ${n * 0.25}`,
    ].join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${text}\n`);
  }).then((t) => ({ ...t, scrapes: () => n }));
}
