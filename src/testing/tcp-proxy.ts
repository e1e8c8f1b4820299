import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Drops every connection and stops listening: the backend looks down to whoever used it. */
  cut(): Promise<void>;
  /**
   * Stops forwarding without closing anything, as a hung network or a frozen server does: bytes
   * wait in the kernel's buffers, new connections are accepted and get no answer. Nothing fails
   * until a client's own timeout fires.
   */
  stall(): void;
  /** Forwards again, everything held included. */
  resume(): void;
}

/** A TCP forwarder on a free port, so a test can take a real backend away from one client. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const track = (s: Socket) => {
    sockets.add(s);
    if (stalled) s.pause();
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // pipe() resumes a paused source: pause again so a connection made while stalled stays silent.
    if (stalled) {
      client.pause();
      upstream.pause();
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      return closed;
    },
    stall() {
      stalled = true;
      for (const s of sockets) s.pause();
    },
    resume() {
      stalled = false;
      for (const s of sockets) s.resume();
    },
  };
}
