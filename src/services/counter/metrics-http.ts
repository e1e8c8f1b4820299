import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { PeaklabError } from '../../shared/errors.js';

/**
 * Provisional: GET /metrics on a side port, in Prometheus text. The platform's HTTP app replaces
 * this file; it is kept apart so that swap touches nothing else. Every wait is bounded: headers
 * in 5 s, a request in 10 s, an idle keep-alive connection 5 s.
 */
export interface MetricsEndpoint {
  /** "http://host:port" */
  readonly url: string;
  readonly port: number;
  /** Stops listening; connections still open after `deadlineMs` are destroyed. Never rejects. */
  close(deadlineMs: number): Promise<void>;
}

/** Listens on host:port (0 = free). Throws PeaklabError PL_CONFIG_INVALID if it cannot bind. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<MetricsEndpoint> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && !req.url?.startsWith('/metrics?'))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    throw new PeaklabError(
      'PL_CONFIG_INVALID',
      `metrics cannot listen on ${host}:${port}: ${(err as Error).message}`,
    );
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}`,
    port: bound,
    close: (deadlineMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
