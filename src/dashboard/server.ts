import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, PeaklabError } from '../shared/errors.js';
import { PAGE_CSP } from './page.js';

export interface PageServerOptions {
  /** Address to listen on: 127.0.0.1 keeps the page (and the targets' data) on this machine. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The live page's HTML, rendered per request. */
  livePage: () => string;
  /** A self-contained snapshot of the moment of the request. */
  snapshotPage: () => string;
  /** The whole state as JSON text: the first SSE event of each connection, and GET /state.json. */
  stateJson: () => string;
}

export interface PageServer {
  /** http://host:port/ */
  readonly url: string;
  /** Sends one Server-Sent Event to every open page. */
  broadcast(event: 'init' | 'points', json: string): void;
  /** Ends every stream and stops listening; connections still open at `deadlineMs` are cut. */
  close(deadlineMs?: number): Promise<void>;
}

/** Open pages at once: each holds a stream, and the state is sent to each on connect. */
const MAX_STREAMS = 32;
/** A page that does not read its stream is dropped past this backlog; it reconnects to a fresh state. */
const MAX_STREAM_BACKLOG = 8 * 1024 * 1024;
/** An SSE comment this often keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

const SECURITY_HEADERS = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function listenError(err: NodeJS.ErrnoException, host: string, port: number): PeaklabError {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new PeaklabError(
        'PL_CONFIG_INVALID',
        `port ${port}: ${where} is already in use (choose another port, or 0 for any free one)`,
      );
    case 'EACCES':
      return new PeaklabError('PL_CONFIG_INVALID', `port ${port}: permission denied to listen on ${where}`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new PeaklabError('PL_CONFIG_INVALID', `host ${host}: not an address of this machine`);
    default:
      return new PeaklabError('PL_CONFIG_INVALID', `cannot listen on ${where}: ${describeError(err)}`);
  }
}

/**
 * The dashboard's HTTP server (node:http, no framework): `/` the live page, `/events` its
 * Server-Sent Events, `/snapshot.html` a self-contained snapshot, `/state.json` the data, `/healthz`.
 * @throws PeaklabError PL_CONFIG_INVALID when it cannot listen (port in use, no permission, bad host).
 */
export async function startPageServer(opts: PageServerOptions): Promise<PageServer> {
  const streams = new Set<ServerResponse>();

  function send(res: ServerResponse, status: number, type: string, body: string, extra = {}): void {
    res.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS, ...extra });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    if (streams.size >= MAX_STREAMS) {
      send(res, 503, 'text/plain; charset=utf-8', `too many open dashboard pages (${MAX_STREAMS})\n`);
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // A page that lost its stream retries after 1 s; on reconnect it gets the whole state again.
    res.write(`retry: 1000\n\nevent: init\ndata: ${opts.stateJson()}\n\n`);
    streams.add(res);
    req.socket.setNoDelay(true);
    const drop = () => streams.delete(res);
    res.on('close', drop);
    res.on('error', drop);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    try {
      switch (path) {
        case '/':
        case '/index.html':
          send(res, 200, 'text/html; charset=utf-8', opts.livePage());
          return;
        case '/events':
          openStream(req, res);
          return;
        case '/snapshot.html': {
          const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
          send(res, 200, 'text/html; charset=utf-8', opts.snapshotPage(), {
            'content-disposition': `inline; filename="peaklab-dashboard-${stamp}.html"`,
          });
          return;
        }
        case '/state.json':
          send(res, 200, 'application/json', opts.stateJson());
          return;
        case '/healthz':
          send(res, 200, 'application/json', '{"status":"ok"}');
          return;
        default:
          send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      }
    } catch (err) {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${describeError(err)}\n`);
      else res.destroy();
    }
  }

  const server = createServer(handle);
  // Bounds on what a client may make us wait for; an SSE stream is a finished request, so unaffected.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, opts.host, opts.port));
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // A page is opened on a concrete address: "any address" binds show as the loopback one.
  const anyHost: Record<string, string> = { '0.0.0.0': '127.0.0.1', '::': '[::1]' };
  const shownHost = anyHost[opts.host] ?? (opts.host.includes(':') ? `[${opts.host}]` : opts.host);
  const keepalive = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();

  return {
    url: `http://${shownHost}:${port}/`,
    broadcast(event, json) {
      const frame = `event: ${event}\ndata: ${json}\n\n`;
      for (const res of streams) {
        if (res.writableLength > MAX_STREAM_BACKLOG) {
          streams.delete(res);
          res.destroy();
          continue;
        }
        res.write(frame);
      }
    },
    async close(deadlineMs = 3000) {
      clearInterval(keepalive);
      for (const res of streams) res.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
      try {
        await closed;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
