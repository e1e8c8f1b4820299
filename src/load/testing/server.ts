import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  /** Requests received so far. */
  readonly received: number;
  /** The highest number of requests open at once. */
  readonly maxOpen: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void;

/** A real node:http server on 127.0.0.1, port 0, counting what it receives. */
export async function startServer(handler: Handler = (_q, res) => res.end('ok')): Promise<TestServer> {
  let received = 0;
  let open = 0;
  let maxOpen = 0;
  const server = createServer((req, res) => {
    const n = received++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.once('close', () => open--);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => handler(req, res, body, n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get received() {
      return received;
    },
    get maxOpen() {
      return maxOpen;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port with nothing listening on it: bound, then released. */
export async function freePort(): Promise<number> {
  const s = await startServer();
  await s.close();
  return s.port;
}
