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
 * One request's undici handler. It uses undici's raw handler callbacks (onHeaders/onData/...)
 * on purpose: the newer onResponse* API wraps every request in two more objects and parses every
 * response's headers into an object, which a load generator never reads. That is ~15% of the
 * generator's CPU per request at full speed.
 */
class Call {
  abort: ((err: Error) => void) | undefined;

  constructor(
    readonly x: Exchange,
    private readonly done: Done,
    private readonly slot: Slot,
    private readonly free: Slot[],
  ) {}

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort;
  }

  private release(): void {
    this.slot.call = undefined;
    this.free.push(this.slot);
  }

  onHeaders(statusCode: number): boolean {
    this.x.status = STATUS_TEXT[statusCode] ?? String(statusCode);
    this.x.ok = statusCode >= 200 && statusCode < 300;
    return true;
  }

  onData(chunk: Buffer): boolean {
    const x = this.x;
    x.bytesIn += chunk.length;
    // Only failed responses keep a body excerpt, for --errors-log; successes are just counted.
    if (!x.ok && x.excerpt.length < EXCERPT_BYTES) {
      x.excerpt += chunk.toString('utf8', 0, Math.min(chunk.length, EXCERPT_BYTES - x.excerpt.length));
    }
    return true;
  }

  onComplete(): void {
    this.release();
    this.done(this.x);
  }

  onError(err: Error): void {
    const x = this.x;
    x.ok = false;
    x.error = errorKind(err);
    x.excerpt = err.message.slice(0, EXCERPT_BYTES);
    this.release();
    this.done(x);
  }
}

/** One connection and the call on it, if any (pipelining is off: at most one). */
interface Slot {
  client: Client;
  call: Call | undefined;
}

const TIMEOUT_ERROR = Object.assign(new Error('request timed out'), { code: 'PEAKLAB_TIMEOUT' });

/**
 * Request timeouts by one sweep over the connections every 50 ms, instead of undici arming and
 * clearing timers on every request: the timeout is accurate to 50 ms, which a 10 s default allows.
 */
function sweepTimeouts(slots: readonly Slot[], timeoutMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const oldest = performance.now() - timeoutMs;
    for (const slot of slots) {
      const call = slot.call;
      if (call?.abort && call.x.sent <= oldest) call.abort(TIMEOUT_ERROR);
    }
  }, 50);
  timer.unref();
  return timer;
}

function flatHeaders(headers: ReadonlyArray<readonly [string, string]>, render: Render[], seq: number) {
  const out: string[] = [];
  headers.forEach(([k], i) => {
    out.push(k, (render[i] as Render)({ seq }));
  });
  return out;
}

/**
 * HTTP/1.1 over `connections` keep-alive undici Clients, built once per run. The engine never has
 * more requests in flight than connections, so each request takes a free Client from a stack and
 * gives it back when done: cheaper than a Pool's search and drain events on every request.
 */
export function createHttpTransport(s: HttpSettings): Transport {
  const slots: Slot[] = Array.from({ length: s.connections }, () => ({
    client: new Client(s.origin, {
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: s.timeoutMs,
    }),
    call: undefined,
  }));
  const free = [...slots];
  const sweeper = sweepTimeouts(slots, s.timeoutMs);
  const method = s.method.toUpperCase() as Dispatcher.HttpMethod;
  const templated =
    hasTemplate(s.path) ||
    s.headers.some(([, v]) => hasTemplate(v)) ||
    (typeof s.body === 'string' && hasTemplate(s.body));
  const renderPath = compileTemplate(s.path, 'URL');
  const renderHeaders = s.headers.map(([k, v]) => compileTemplate(v, `header ${k}`));
  const renderBody = typeof s.body === 'string' ? compileTemplate(s.body, 'body') : undefined;
  // Without templates every request is the same: build its options once.
  const fixed: Dispatcher.DispatchOptions = {
    path: s.path,
    method,
    headers: flatHeaders(s.headers, renderHeaders, 0),
    body: s.body ?? null,
  };
  const bodyBytes = s.body === undefined ? 0 : Buffer.byteLength(s.body);
  return {
    capacity: s.connections,
    label: `${method} ${s.path}`,
    send(x, done) {
      let opts = fixed;
      if (templated) {
        const seq = x.seq;
        opts = {
          path: renderPath({ seq }),
          method,
          headers: flatHeaders(s.headers, renderHeaders, seq),
          body: renderBody ? renderBody({ seq }) : (s.body ?? null),
        };
      }
      x.bytesOut = typeof opts.body === 'string' ? Buffer.byteLength(opts.body) : bodyBytes;
      const slot = free.pop() as Slot;
      const call = new Call(x, done, slot, free);
      slot.call = call;
      try {
        slot.client.dispatch(opts, call);
      } catch (err) {
        slot.call = undefined;
        free.push(slot);
        x.error = errorKind(err);
        x.excerpt = err instanceof Error ? err.message : String(err);
        queueMicrotask(() => done(x));
      }
    },
    async close() {
      clearInterval(sweeper);
      await Promise.all(slots.map((slot) => slot.client.destroy()));
    },
  };
}
