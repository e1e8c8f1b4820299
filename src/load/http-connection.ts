import { STATUS_CODES } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { DONE, FAILED, MORE, ResponseParser } from './http-parser.js';
import { redirectRequest } from './http-request.js';
import type { OkTable } from './ok-status.js';
import type { Done, Exchange } from './transport.js';

/** What every connection of one transport shares. */
export interface ConnectionSettings {
  host: string;
  port: number;
  tls: boolean;
  /** Skip certificate verification (--insecure): a failed handshake is still the error kind "tls". */
  insecure: boolean;
  /** scheme://host:port, to tell a same-origin redirect from one to another origin. */
  origin: string;
  ok: OkTable;
  maxRedirects: number;
  /** One read buffer for every socket of this thread: a read is parsed before the next one lands. */
  readBuffer: Buffer;
  /** A connection to another origin, for a redirect that leads there. */
  foreign(url: URL): Connection;
  /** Scenarios: keep up to this many bytes of every response body in `x.body` (default 0: none). */
  keepBody?: number;
}

/** Status codes as strings, made once rather than per response. */
const STATUS_TEXT: string[] = Array.from({ length: 600 }, (_, i) => String(i));

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** The failures that a server closing an idle keep-alive connection produces as we reuse it. */
const STALE = new Set(['closed', 'econnreset', 'epipe']);

/**
 * A socket error as a short, stable kind: errno codes lower-cased ("econnrefused", "econnreset",
 * "epipe", "etimedout", "enotfound", ...); any failure of a TLS handshake, "tls".
 */
function kindOf(err: Error, handshaking: boolean): string {
  const code = (err as NodeJS.ErrnoException).code;
  const errno = typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) && code !== 'EPROTO';
  if (errno) return (code as string).toLowerCase();
  if (handshaking || (typeof code === 'string' && /SSL|TLS|CERT|EPROTO/.test(code))) return 'tls';
  return 'error';
}

/**
 * One keep-alive HTTP/1.1 connection carrying one exchange at a time (no pipelining). It opens its
 * socket on first use and again after the server or a failure closes it; every way an exchange can
 * end (response, socket error, close, malformed bytes, our timeout) ends it exactly once, through
 * `done`, after the connection is free again, so `done` may send the next request on it at once.
 *
 * A request that fails on a reused connection before any byte of its response (the server closed
 * the idle connection as we wrote) is sent once more on a fresh one, as browsers and Go's client
 * do; what that attempt gives is the outcome.
 */
export class Connection {
  /** The exchange in flight; undefined while free. */
  x: Exchange | undefined = undefined;
  private done: Done | undefined = undefined;
  private socket: Socket | undefined = undefined;
  /** The current socket has carried a whole response before. */
  private reused = false;
  private handshaking = false;
  private retried = false;
  private redirects = 0;
  /** The request bytes in flight: resent once on a stale connection, and the base of a redirect. */
  private sent: Buffer | string = '';
  private readonly parser = new ResponseParser();

  constructor(
    private readonly s: ConnectionSettings,
    private readonly release: (c: Connection) => void,
  ) {
    const ok = s.ok;
    this.parser.keepExcerpt = (status) => ok[status] !== 1;
    this.parser.wantLocation = s.maxRedirects > 0;
    this.parser.keepBody = s.keepBody ?? 0;
  }

  /** Sends `data` (built for `x`) and calls `done(x)` once with its one outcome. */
  send(x: Exchange, data: Buffer | string, head: boolean, done: Done): void {
    this.x = x;
    this.done = done;
    this.sent = data;
    this.retried = false;
    this.redirects = 0;
    this.parser.bodyBytes = 0;
    this.parser.reset(head);
    this.write(data);
  }

  /** Continues a redirect chain that began on another connection. */
  follow(x: Exchange, data: Buffer, head: boolean, done: Done, redirects: number, bodyBytes: number): void {
    this.send(x, data, head, done);
    this.redirects = redirects;
    this.parser.bodyBytes = bodyBytes;
  }

  /** Ends the exchange in flight as a timeout when it was sent before `oldest` (ms). */
  expire(oldest: number): void {
    const x = this.x;
    if (x && x.sent <= oldest) this.fail(x, 'timeout', 'no complete response within the timeout');
  }

  /** Closes the socket; an exchange still in flight is left to the engine (it counts it unfinished). */
  destroy(): void {
    this.x = undefined;
    this.done = undefined;
    this.drop();
  }

  private write(data: Buffer | string): void {
    let sock = this.socket;
    if (sock === undefined) sock = this.open();
    sock.write(data);
  }

  private open(): Socket {
    const { host, port } = this.s;
    let sock: Socket;
    if (this.s.tls) {
      // TLS sockets take no onread buffer: their bytes arrive as 'data' chunks.
      const t = tlsConnect({
        host,
        port,
        servername: /^[\d.]+$|:/.test(host) ? undefined : host,
        rejectUnauthorized: !this.s.insecure,
      });
      t.once('secureConnect', () => {
        if (this.socket === t) this.handshaking = false;
      });
      t.on('data', (chunk: Buffer) => this.onData(t, chunk, chunk.length));
      this.handshaking = true;
      sock = t;
    } else {
      const buffer = this.s.readBuffer;
      sock = netConnect({
        host,
        port,
        onread: { buffer, callback: (n: number) => this.onData(sock, buffer, n) },
      });
      this.handshaking = false;
    }
    sock.setNoDelay(true);
    sock.on('end', () => this.onEnd(sock));
    sock.on('error', (err: Error) => this.onError(sock, err));
    sock.on('close', () => this.onClose(sock));
    this.socket = sock;
    this.reused = false;
    return sock;
  }

  /** Forgets and destroys the socket: its later events are ignored (they check identity). */
  private drop(): void {
    const sock = this.socket;
    this.socket = undefined;
    sock?.destroy();
  }

  private onData(sock: Socket, chunk: Buffer, n: number): boolean {
    if (sock !== this.socket) return false;
    const x = this.x;
    if (!x) {
      // Bytes with no request in flight (a 408 before an idle close, say): this socket is done.
      this.drop();
      return false;
    }
    const r = this.parser.execute(chunk, n);
    if (r === MORE) return true;
    if (r === FAILED) this.fail(x, 'bad_response', this.parser.error);
    else this.complete(x);
    return true;
  }

  private onEnd(sock: Socket): void {
    if (sock !== this.socket) return;
    const x = this.x;
    if (!x) {
      this.drop();
      return;
    }
    if (this.parser.eof() === DONE) this.complete(x);
    else this.failOrRetry(x, this.handshaking ? 'tls' : 'closed', this.parser.error);
  }

  private onError(sock: Socket, err: Error): void {
    if (sock !== this.socket) return;
    const x = this.x;
    const kind = kindOf(err, this.handshaking);
    this.drop();
    if (x) this.failOrRetry(x, kind, err.message);
  }

  private onClose(sock: Socket): void {
    if (sock !== this.socket) return;
    const x = this.x;
    this.socket = undefined;
    if (x) this.failOrRetry(x, this.handshaking ? 'tls' : 'closed', 'the connection closed');
  }

  private failOrRetry(x: Exchange, kind: string, message: string): void {
    if (this.reused && !this.retried && !this.parser.started && STALE.has(kind)) {
      this.retried = true;
      this.drop();
      this.write(this.sent);
      return;
    }
    this.fail(x, kind, message);
  }

  /** One outcome: an error of `kind`, whatever of the response had arrived (never also a status). */
  private fail(x: Exchange, kind: string, message: string): void {
    this.drop();
    x.status = '';
    x.ok = false;
    x.error = kind;
    x.excerpt = message;
    this.finish(x);
  }

  private complete(x: Exchange): void {
    const p = this.parser;
    const status = p.status;
    if (p.keepAlive) this.reused = true;
    else this.drop();
    if (isRedirect(status) && p.location !== undefined && this.s.maxRedirects > 0) {
      this.redirect(x, status, p.location);
      return;
    }
    x.status = STATUS_TEXT[status] as string;
    x.ok = this.s.ok[status] === 1;
    if (p.keepBody > 0) {
      x.body = p.kept.length === 1 ? (p.kept[0] as Buffer) : Buffer.concat(p.kept);
      x.headers = p.headers;
    }
    if (!x.ok) x.excerpt = p.excerpt || (STATUS_CODES[status] ?? '');
    this.finish(x);
  }

  /** Follows a redirect: on this connection when it stays on the origin, else on another one. */
  private redirect(x: Exchange, status: number, location: string): void {
    if (this.redirects >= this.s.maxRedirects) {
      this.fail(
        x,
        'too_many_redirects',
        `more than ${this.s.maxRedirects} redirects (the last to ${location})`,
      );
      return;
    }
    const line = (typeof this.sent === 'string' ? this.sent : this.sent.toString('latin1', 0, 8192)).split(
      '\r\n',
    )[0];
    let to: URL;
    try {
      to = new URL(location, `${this.s.origin}${line?.split(' ')[1] ?? '/'}`);
    } catch {
      this.fail(x, 'bad_redirect', `a redirect to "${location}", which is not a URL`);
      return;
    }
    if (to.protocol !== 'http:' && to.protocol !== 'https:') {
      this.fail(x, 'bad_redirect', `a redirect to ${to.protocol} (only http and https are followed)`);
      return;
    }
    const same = to.origin === this.s.origin;
    const hop = redirectRequest(this.sent, status, to, same);
    x.bytesOut += hop.bodyBytes;
    const redirects = this.redirects + 1;
    const bodyBytes = this.parser.bodyBytes;
    if (same) {
      this.sent = hop.bytes;
      this.redirects = redirects;
      this.parser.reset(hop.method === 'HEAD');
      this.write(hop.bytes);
      return;
    }
    const done = this.done as Done;
    this.x = undefined;
    this.done = undefined;
    this.release(this);
    this.s.foreign(to).follow(x, hop.bytes, hop.method === 'HEAD', done, redirects, bodyBytes);
  }

  /** Frees the connection, then reports: `done` may send the next request on it at once. */
  private finish(x: Exchange): void {
    const done = this.done as Done;
    x.bytesIn = this.parser.bodyBytes;
    this.x = undefined;
    this.done = undefined;
    this.release(this);
    done(x);
  }
}
