/** Test targets for the dashboard: HTTP servers on port 0 that answer /metrics well, badly or not at all. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestTarget {
  /** http://127.0.0.1:PORT (the dashboard adds /metrics). */
  url: string;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1:0. */
export async function serveTarget(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestTarget> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Prometheus text whose counters grow with each scrape; `labels` go into the route label as given. */
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
