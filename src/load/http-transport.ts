import { performance } from 'node:perf_hooks';
import { Connection, type ConnectionSettings } from './http-connection.js';
import { compileRequest } from './http-request.js';
import type { OkTable } from './ok-status.js';
import type { Transport } from './transport.js';

export interface HttpSettings {
  /** http(s)://host:port */
  origin: string;
  host: string;
  port: number;
  /** Path and query; may hold {{templates}}. */
  path: string;
  method: string;
  headers: ReadonlyArray<readonly [string, string]>;
  /** Text (templated), exact bytes (a --body @file), or a list of bodies picked by seq. */
  body: string | Buffer | readonly Buffer[] | undefined;
  connections: number;
  timeoutMs: number;
  ok: OkTable;
  maxRedirects: number;
  /** Skip TLS certificate verification (--insecure). */
  insecure?: boolean;
}

/** How often the request timeout is checked (ms): one sweep instead of a timer per request. */
const SWEEP_MS = 50;
/** The read buffer every socket of this thread shares (bytes). */
const READ_BUFFER = 64 * 1024;

/**
 * HTTP/1.1 over `connections` keep-alive connections of peaklab's own (node:net and node:tls, a
 * small response parser): a load generator needs none of a general client's per-request objects,
 * header maps or streams, and every failure has to come back as one counted outcome. The engine
 * never has more requests in flight than connections, so each request takes a free connection
 * from a stack and gives it back when done. Timeouts: one sweep every 50 ms over the connections,
 * so a timeout is accurate to 50 ms (the default is 10 s).
 */
export function createHttpTransport(s: HttpSettings): Transport {
  const free: Connection[] = [];
  const all: Connection[] = [];
  const url = new URL(s.origin);
  const foreignPools = new Map<string, Connection[]>();
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER);

  const settingsFor = (origin: URL): ConnectionSettings => ({
    host: origin.hostname.replace(/^\[|\]$/g, ''),
    port: Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)),
    tls: origin.protocol === 'https:',
    insecure: s.insecure === true,
    origin: origin.origin,
    ok: s.ok,
    maxRedirects: s.maxRedirects,
    readBuffer,
    foreign,
  });

  /** A free connection to another origin (redirects only): each origin keeps its idle ones. */
  function foreign(to: URL): Connection {
    let idle = foreignPools.get(to.origin);
    if (!idle) {
      idle = [];
      foreignPools.set(to.origin, idle);
    }
    const pool = idle;
    const c = pool.pop();
    if (c) return c;
    const made = new Connection(settingsFor(to), (done) => pool.push(done));
    all.push(made);
    return made;
  }

  const home = settingsFor(url);
  for (let i = 0; i < s.connections; i++) {
    const c = new Connection(home, (done) => free.push(done));
    free.push(c);
    all.push(c);
  }
  const sweeper = setInterval(() => {
    const oldest = performance.now() - s.timeoutMs;
    for (const c of all) c.expire(oldest);
  }, SWEEP_MS);
  sweeper.unref();

  const request = compileRequest({
    method: s.method,
    path: s.path,
    authority: url.host,
    headers: s.headers,
    body: s.body,
  });
  const head = request.head;
  return {
    capacity: s.connections,
    label: `${request.method} ${s.path}`,
    send(x, done) {
      let data: Buffer | string;
      try {
        data = request.build(x);
      } catch (err) {
        // A template rendered something a request cannot carry: this request's outcome.
        x.error = 'bad_request';
        x.excerpt = err instanceof Error ? err.message : String(err);
        queueMicrotask(() => done(x));
        return;
      }
      (free.pop() as Connection).send(x, data, head, done);
    },
    async close() {
      clearInterval(sweeper);
      for (const c of all) c.destroy();
    },
  };
}
