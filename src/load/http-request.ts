import { PeaklabError } from '../shared/errors.js';
import { compileTemplate, hasTemplate, type Render } from './template.js';
import type { Exchange } from './transport.js';

/**
 * HTTP/1.1 requests as bytes, built once when nothing in them changes (one Buffer, written as is
 * for every request) or per request from compiled templates (one string, one write).
 */
export interface RequestSpec {
  method: string;
  /** Path and query, possibly templated. */
  path: string;
  /** host[:port], the Host header unless the user's headers give one. */
  authority: string;
  headers: ReadonlyArray<readonly [string, string]>;
  /** Text (templated), exact bytes (a --body @file), or a list of bodies picked by seq. */
  body: string | Buffer | readonly Buffer[] | undefined;
}

export interface RequestBuilder {
  readonly method: string;
  /** A HEAD request's response has no body. */
  readonly head: boolean;
  /** The bytes of request `x` (sets `x.bytesOut` to its body's length). */
  build(x: Exchange): Buffer | string;
}

/** Headers peaklab frames itself: a user's value could only contradict the body it sends. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);
/** Methods whose requests carry a body even when empty (as undici and curl send them). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function usage(message: string): PeaklabError {
  return new PeaklabError('PL_USAGE', message);
}

/** A path with spaces, controls or non-ASCII percent-encoded (UTF-8), as a URL parser would. */
export function escapePath(path: string): string {
  return /[^\x21-\x7e]/.test(path) ? path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)) : path;
}

/** The request line and headers, up to (not including) the blank line. */
function headText(method: string, path: string, headers: ReadonlyArray<readonly [string, string]>): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  return head;
}

/**
 * Checks the user's headers once: CR, LF or NUL in a value would split the request (header
 * injection), and a content-length or transfer-encoding of theirs would contradict our framing.
 * Adds Host unless given.
 */
export function requestHeaders(
  headers: ReadonlyArray<readonly [string, string]>,
  authority: string,
): [string, string][] {
  const out: [string, string][] = [];
  let host = false;
  for (const [k, v] of headers) {
    const name = k.toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw usage(`header name "${k}" is not a valid token`);
    if (/[\r\n\0]/.test(v)) throw usage(`header ${k}: a value may not contain CR, LF or NUL`);
    if (FRAMING.has(name)) throw usage(`header ${k}: peaklab sets it from the body it sends`);
    if (name === 'host') host = true;
    out.push([k, v]);
  }
  if (!host) out.unshift(['host', authority]);
  return out;
}

/** Compiles a request once: a constant Buffer when nothing is templated, else per-request text. */
export function compileRequest(spec: RequestSpec): RequestBuilder {
  const method = spec.method.toUpperCase();
  if (!/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(method))
    throw usage(`--method "${spec.method}" is not an HTTP method`);
  if (/[\r\n\0]/.test(spec.path))
    throw new PeaklabError('PL_TARGET_INVALID', 'the URL may not contain CR, LF or NUL');
  const headers = requestHeaders(spec.headers, spec.authority);
  const body = spec.body;
  if (isBodyList(body)) return compileBodyList(method, spec, body);
  const head = method === 'HEAD';
  const withLength = body !== undefined || BODY_METHODS.has(method);
  const templated =
    hasTemplate(spec.path) ||
    headers.some(([, v]) => hasTemplate(v)) ||
    (typeof body === 'string' && hasTemplate(body));
  if (!templated) {
    const bytes = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
    const text = `${headText(method, escapePath(spec.path), headers)}${withLength ? `content-length: ${bytes.length}\r\n` : ''}\r\n`;
    const whole = Buffer.concat([Buffer.from(text), bytes]);
    const n = bytes.length;
    return {
      method,
      head,
      build(x) {
        x.bytesOut = n;
        return whole;
      },
    };
  }
  const renderPath = compileTemplate(spec.path, 'URL');
  const rendered: { at: number; render: Render }[] = [];
  const fixed: string[] = [];
  for (const [k, v] of headers) {
    if (hasTemplate(v)) rendered.push({ at: fixed.length, render: compileTemplate(v, `header ${k}`) });
    fixed.push(`${k}: ${v}\r\n`);
  }
  const renderBody = typeof body === 'string' ? compileTemplate(body, 'body') : undefined;
  const bodyBytes = Buffer.isBuffer(body) ? body : undefined;
  const lines = fixed.slice();
  return {
    method,
    head,
    build(x) {
      const vars = { seq: x.seq };
      for (const r of rendered) {
        const v = r.render(vars);
        if (/[\r\n\0]/.test(v)) throw usage('a template rendered CR, LF or NUL into a header');
        lines[r.at] = `${headers[r.at]?.[0]}: ${v}\r\n`;
      }
      let text = `${method} ${escapePath(renderPath(vars))} HTTP/1.1\r\n${lines.join('')}`;
      if (bodyBytes) {
        // Exact bytes after a templated head: one Buffer, so the body is never re-encoded.
        x.bytesOut = bodyBytes.length;
        text += `content-length: ${bodyBytes.length}\r\n\r\n`;
        return Buffer.concat([Buffer.from(text), bodyBytes]);
      }
      const b = renderBody ? renderBody(vars) : '';
      const n = renderBody ? Buffer.byteLength(b) : 0;
      x.bytesOut = n;
      return `${text}${withLength ? `content-length: ${n}\r\n` : ''}\r\n${b}`;
    },
  };
}

/**
 * The next hop of a followed redirect, derived from the bytes of the request just sent (so templated
 * values stay what they were). Built only when a redirect is followed: not the hot path. 303, and
 * 301/302 after a POST, turn the request into a GET without a body (as browsers and the Fetch
 * standard do); 307 and 308 keep method and body. Credentials are not sent to another origin.
 */
export function redirectRequest(
  sent: Buffer | string,
  status: number,
  to: URL,
  sameOrigin: boolean,
): { method: string; bytes: Buffer; bodyBytes: number } {
  const raw = typeof sent === 'string' ? Buffer.from(sent) : sent;
  const end = raw.indexOf('\r\n\r\n');
  const lines = raw.toString('utf8', 0, end).split('\r\n');
  let method = (lines[0] ?? '').split(' ')[0] as string;
  let body: Buffer | undefined = raw.subarray(end + 4);
  if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
    method = 'GET';
    body = undefined;
  }
  const headers: [string, string][] = [['host', to.host]];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const k = line.slice(0, colon);
    const n = k.toLowerCase();
    if (n === 'host' || n === 'content-length') continue;
    if (body === undefined && (n === 'content-type' || n === 'content-encoding')) continue;
    if (!sameOrigin && (n === 'authorization' || n === 'cookie' || n === 'proxy-authorization')) continue;
    headers.push([k, line.slice(colon + 1).trim()]);
  }
  const withLength = (body !== undefined && body.length > 0) || BODY_METHODS.has(method);
  const text = `${headText(method, escapePath(`${to.pathname}${to.search}`), headers)}${withLength ? `content-length: ${body?.length ?? 0}\r\n` : ''}\r\n`;
  const bytes = body && body.length > 0 ? Buffer.concat([Buffer.from(text), body]) : Buffer.from(text);
  return { method, bytes, bodyBytes: body?.length ?? 0 };
}

function isBodyList(body: RequestSpec['body']): body is readonly Buffer[] {
  return Array.isArray(body);
}

/**
 * Request `seq` carries `bodies[seq % length]`, exact bytes after a fixed head: each request is
 * one Buffer, prebuilt per body, so a mix costs no more per request than a single body.
 */
function compileBodyList(method: string, spec: RequestSpec, bodies: readonly Buffer[]): RequestBuilder {
  const headers = requestHeaders(spec.headers, spec.authority);
  if (hasTemplate(spec.path) || headers.some(([, v]) => hasTemplate(v)))
    throw usage('a body list is sent with a fixed URL and headers (no templates)');
  const head = headText(method, escapePath(spec.path), headers);
  const whole = bodies.map((b) =>
    Buffer.concat([Buffer.from(`${head}content-length: ${b.length}\r\n\r\n`), b]),
  );
  return {
    method,
    head: method === 'HEAD',
    build(x) {
      const i = x.seq % whole.length;
      x.bytesOut = (bodies[i] as Buffer).length;
      return whole[i] as Buffer;
    },
  };
}
