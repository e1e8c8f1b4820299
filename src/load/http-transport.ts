import { performance } from 'node:perf_hooks';
import { Client, type Dispatcher } from 'undici';
import { compileTemplate, hasTemplate, type Render } from './template.js';
import { type Done, EXCERPT_BYTES, type Exchange, errorKind, type Transport } from './transport.js';

export interface HttpSettings {
  origin: string;
  /** Path and query; may hold {{templates}}. */
  path: string;
  method: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: string | Buffer | undefined;
  connections: number;
  timeoutMs: number;
}

/** Status codes as strings, made once rather than per response. */
const STATUS_TEXT: string[] = Array.from({ length: 600 }, (_, i) => String(i));

/**
 * One keep-alive connection and the undici handler of the request on it. Pipelining is off, so a
 * connection carries at most one request at a time and one handler object serves all of them: no
 * allocation per request. It uses undici's raw handler callbacks (onHeaders/onData/...) on purpose:
 * the newer onResponse* API wraps every request in two more objects and parses every response's
 * headers into an object, which a load generator never reads. That is ~15% of the generator's CPU
 * per request at full speed.
 */
class Connection {
  /** The exchange in flight on this connection; undefined while the connection is free. */
  x: Exchange | undefined = undefined;
  done: Done | undefined = undefined;
  abort: ((err: Error) => void) | undefined = undefined;

  constructor(
    readonly client: Client,
    private readonly free: Connection[],
  ) {}

  start(x: Exchange, done: Done): void {
    this.x = x;
    this.done = done;
    this.abort = undefined;
  }

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(statusCode: number): boolean {
    const x = this.x as Exchange;
    x.status = STATUS_TEXT[statusCode] ?? String(statusCode);
    x.ok = statusCode >= 200 && statusCode < 300;
    return true;
  }

  onData(chunk: Buffer): boolean {
    const x = this.x as Exchange;
    x.bytesIn += chunk.length;
    // Only failed responses keep a body excerpt, for --errors-log; successes are just counted.
    if (!x.ok && x.excerpt.length < EXCERPT_BYTES) {
      x.excerpt += chunk.toString('utf8', 0, Math.min(chunk.length, EXCERPT_BYTES - x.excerpt.length));
    }
    return true;
  }

  onComplete(): void {
    this.finish();
  }

  onError(err: Error): void {
    // undici reports an error thrown by onComplete here too, after this request was finished.
    const x = this.x;
    if (!x) return;
    x.ok = false;
    x.error = errorKind(err);
    x.excerpt = err.message.slice(0, EXCERPT_BYTES);
    this.finish();
  }

  /** Frees the connection before `done`, which may send the next request on it at once. */
  private finish(): void {
    const x = this.x as Exchange;
    const done = this.done as Done;
    this.x = undefined;
    this.done = undefined;
    this.abort = undefined;
    this.free.push(this);
    done(x);
  }
}

const TIMEOUT_ERROR = Object.assign(new Error('request timed out'), { code: 'PEAKLAB_TIMEOUT' });

/**
 * Request timeouts by one sweep over the connections every 50 ms, instead of undici arming and
 * clearing timers on every request: the timeout is accurate to 50 ms, which a 10 s default allows.
 */
function sweepTimeouts(conns: readonly Connection[], timeoutMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const oldest = performance.now() - timeoutMs;
    for (const c of conns) {
      if (c.abort && c.x && c.x.sent <= oldest) c.abort(TIMEOUT_ERROR);
    }
  }, 50);
  timer.unref();
  return timer;
}

/**
 * Headers as undici's flat [name, value, ...] array. The untemplated values are filled in once;
 * per request only the templated ones are rendered, into a copy. Without templated headers every
 * request shares one array (undici reads it, never changes it).
 */
function headerBuilder(
  headers: ReadonlyArray<readonly [string, string]>,
): (vars: { seq: number }) => string[] {
  const fixed: string[] = [];
  const templated: { at: number; render: Render }[] = [];
  for (const [k, v] of headers) {
    if (hasTemplate(v)) templated.push({ at: fixed.length + 1, render: compileTemplate(v, `header ${k}`) });
    fixed.push(k, v);
  }
  if (templated.length === 0) return () => fixed;
  return (vars) => {
    const out = fixed.slice();
    for (const t of templated) out[t.at] = t.render(vars);
    return out;
  };
}

/**
 * HTTP/1.1 over `connections` keep-alive undici Clients, built once per run. The engine never has
 * more requests in flight than connections, so each request takes a free Client from a stack and
 * gives it back when done: cheaper than a Pool's search and drain events on every request.
 */
export function createHttpTransport(s: HttpSettings): Transport {
  const free: Connection[] = [];
  const conns = Array.from(
    { length: s.connections },
    () =>
      new Connection(
        new Client(s.origin, {
          pipelining: 1,
          headersTimeout: 0,
          bodyTimeout: 0,
          connectTimeout: s.timeoutMs,
        }),
        free,
      ),
  );
  free.push(...conns);
  const sweeper = sweepTimeouts(conns, s.timeoutMs);
  const method = s.method.toUpperCase() as Dispatcher.HttpMethod;
  const templated =
    hasTemplate(s.path) ||
    s.headers.some(([, v]) => hasTemplate(v)) ||
    (typeof s.body === 'string' && hasTemplate(s.body));
  const renderPath = compileTemplate(s.path, 'URL');
  const headersFor = headerBuilder(s.headers);
  const renderBody = typeof s.body === 'string' ? compileTemplate(s.body, 'body') : undefined;
  // Without templates every request is the same: build its options once.
  const fixed: Dispatcher.DispatchOptions = {
    path: s.path,
    method,
    headers: headersFor({ seq: 0 }),
    body: s.body ?? null,
  };
  const bodyBytes = s.body === undefined ? 0 : Buffer.byteLength(s.body);
  return {
    capacity: s.connections,
    label: `${method} ${s.path}`,
    send(x, done) {
      let opts = fixed;
      if (templated) {
        const vars = { seq: x.seq };
        opts = {
          path: renderPath(vars),
          method,
          headers: headersFor(vars),
          body: renderBody ? renderBody(vars) : (s.body ?? null),
        };
      }
      x.bytesOut = typeof opts.body === 'string' ? Buffer.byteLength(opts.body) : bodyBytes;
      const conn = free.pop() as Connection;
      conn.start(x, done);
      try {
        conn.client.dispatch(opts, conn);
      } catch (err) {
        conn.x = undefined;
        conn.done = undefined;
        free.push(conn);
        x.error = errorKind(err);
        x.excerpt = err instanceof Error ? err.message : String(err);
        queueMicrotask(() => done(x));
      }
    },
    async close() {
      clearInterval(sweeper);
      await Promise.all(conns.map((c) => c.client.destroy()));
    },
  };
}
