/** For tests of scrapers: an HTTP server on 127.0.0.1:0 that answers as the test says. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestTarget {
  /** http://127.0.0.1:PORT, no path. */
  url: string;
  /** Cuts every open connection and stops listening. */
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at a free port. */
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
