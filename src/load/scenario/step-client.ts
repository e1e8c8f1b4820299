import { performance } from 'node:perf_hooks';
import { PeaklabError } from '../../shared/errors.js';
import { Connection, type ConnectionSettings } from '../http-connection.js';
import { escapePath, requestHeaders } from '../http-request.js';
import type { OkTable } from '../ok-status.js';
import { Exchange } from '../transport.js';

/** How much of each response body a step keeps for the scenario to read (bytes). */
export const STEP_BODY_BYTES = 1024 * 1024;
/** How often the request timeout is checked (ms), as the single-request transport does. */
const SWEEP_MS = 50;

export interface StepClientSettings {
  /** http(s)://host:port: every step goes to this origin. */
  origin: string;
  /** The target URL's path prefix ("" or "/api"): a step's path is appended to it. */
  basePath: string;
  connections: number;
  timeoutMs: number;
  ok: OkTable;
  maxRedirects: number;
  /** Skip TLS certificate verification (--insecure). */
  insecure: boolean;
}

/** One HTTP request of a step, before it is sent. */
export interface StepRequest {
  method: string;
  path: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer | undefined;
}

/** A step waiting for, or holding, a connection; `done` is called once with its outcome. */
export interface PendingStep {
  x: Exchange;
  data: string | Buffer;
  head: boolean;
  done: (x: Exchange) => void;
  /** Set once the step has its outcome (or was cancelled): a late callback is then ignored. */
  over: boolean;
}

/**
 * The steps' HTTP client: peaklab's own keep-alive connections (the same Connection as single
 * requests), `connections` of them shared by every flow; a step that finds none free waits in a
 * FIFO queue, and that wait counts in its latency. The request timeout is swept every 50 ms.
 */
export class StepClient {
  private readonly free: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly waiting: PendingStep[] = [];
  private head = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly authority: string;
  private closed = false;

  constructor(private readonly s: StepClientSettings) {
    const url = new URL(s.origin);
    this.authority = url.host;
    const readBuffer = Buffer.allocUnsafe(64 * 1024);
    const foreignPools = new Map<string, Connection[]>();
    const settingsFor = (origin: URL): ConnectionSettings => ({
      host: origin.hostname.replace(/^\[|\]$/g, ''),
      port: Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)),
      tls: origin.protocol === 'https:',
      origin: origin.origin,
      ok: s.ok,
      maxRedirects: s.maxRedirects,
      insecure: s.insecure,
      readBuffer,
      foreign,
      keepBody: STEP_BODY_BYTES,
    });
    const all = this.all;
    // A redirect to another origin: that origin's idle connections, or a new one.
    function foreign(to: URL): Connection {
      let idle = foreignPools.get(to.origin);
      if (!idle) {
        idle = [];
        foreignPools.set(to.origin, idle);
      }
      const pool = idle;
      const c = pool.pop() ?? new Connection(settingsFor(to), (done) => pool.push(done));
      if (!all.includes(c)) all.push(c);
      return c;
    }
    const home = settingsFor(url);
    for (let i = 0; i < s.connections; i++) {
      const c = new Connection(home, (done) => this.free.push(done));
      this.free.push(c);
      all.push(c);
    }
    this.sweeper = setInterval(() => {
      const oldest = performance.now() - s.timeoutMs;
      for (const c of this.all) c.expire(oldest);
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  /**
   * The bytes of a request. Throws a PeaklabError (PL_USAGE) for what cannot be sent: a method that
   * is not a token, a path that is not absolute or leaves the target's origin, CR/LF/NUL in it.
   */
  build(r: StepRequest): { data: string | Buffer; head: boolean; bodyBytes: number } {
    const method = r.method.toUpperCase();
    if (!/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(method))
      throw new PeaklabError('PL_USAGE', `"${r.method}" is not an HTTP method`);
    let path = r.path;
    if (/^https?:\/\//i.test(path)) {
      const u = new URL(path);
      if (u.origin !== this.s.origin)
        throw new PeaklabError(
          'PL_USAGE',
          `step URL ${u.origin} is not the target's origin ${this.s.origin}`,
        );
      path = `${u.pathname}${u.search}`;
    } else {
      if (!path.startsWith('/')) throw new PeaklabError('PL_USAGE', `step path "${path}" must start with /`);
      path = `${this.s.basePath}${path}`;
    }
    if (/[\r\n\0]/.test(path))
      throw new PeaklabError('PL_USAGE', 'a step path may not contain CR, LF or NUL');
    const headers = requestHeaders(r.headers, this.authority);
    let text = `${method} ${escapePath(path)} HTTP/1.1\r\n`;
    for (const [k, v] of headers) text += `${k}: ${v}\r\n`;
    const body = r.body;
    const withLength = body !== undefined || method === 'POST' || method === 'PUT' || method === 'PATCH';
    const n = body?.length ?? 0;
    text += `${withLength ? `content-length: ${n}\r\n` : ''}\r\n`;
    const data = body && n > 0 ? Buffer.concat([Buffer.from(text), body]) : text;
    return { data, head: method === 'HEAD', bodyBytes: n };
  }

  /** Sends now when a connection is free, else queues (FIFO). */
  send(p: PendingStep): void {
    if (this.closed) {
      p.over = true;
      return;
    }
    const c = this.free.pop();
    if (c) this.start(c, p);
    else this.waiting.push(p);
  }

  private start(c: Connection, p: PendingStep): void {
    p.x.sent = performance.now();
    c.send(p.x, p.data, p.head, (x) => {
      this.next();
      if (!p.over) {
        p.over = true;
        p.done(x);
      }
    });
  }

  /** A connection came free: the oldest waiting step that is still wanted takes it. */
  private next(): void {
    while (this.head < this.waiting.length && this.free.length > 0) {
      const p = this.waiting[this.head] as PendingStep;
      this.waiting[this.head++] = undefined as unknown as PendingStep;
      if (!p.over) this.start(this.free.pop() as Connection, p);
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Stops every connection; steps in flight or waiting are the caller's to count (unfinished). */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const c of this.all) c.destroy();
    this.waiting.length = 0;
    this.head = 0;
  }
}

export { Exchange };
