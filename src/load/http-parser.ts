import { EXCERPT_BYTES } from './transport.js';

/**
 * An incremental HTTP/1.x response parser for the load generator's own client: it reads only what a
 * load test needs (status, framing, keep-alive, a redirect's location), counts body bytes and keeps
 * an excerpt of bodies it is asked to keep. It never allocates per chunk in the common case (whole
 * head in one read, Content-Length body): the head is scanned in place with Buffer.indexOf.
 *
 * Framing follows RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; chunked when
 * Transfer-Encoding says so; else Content-Length; else the body runs until the server closes.
 * 1xx interim responses (100 Continue, 103 Early Hints) are skipped.
 */

/** `execute` results. */
export const MORE = 0;
export const DONE = 1;
export const FAILED = -1;

/** Heads larger than this are refused (undici and node:http refuse at 16 KiB to 80 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;

const CR = 13;
const LF = 10;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const NO_HEADERS: Array<[string, string]> = [];

const HEAD = 0;
const LENGTH = 1;
const UNTIL_CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_EXT = 4;
const CHUNK_SIZE_LF = 5;
const CHUNK_DATA = 6;
const CHUNK_DATA_CR = 7;
const CHUNK_DATA_LF = 8;
const TRAILER = 9;
const COMPLETE = 10;

/** True when bytes [at, at + name.length) of b are `name` (lower case ASCII), case-insensitively. */
function nameIs(b: Buffer, at: number, len: number, name: string): boolean {
  if (len !== name.length) return false;
  for (let i = 0; i < len; i++) if (((b[at + i] as number) | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export class ResponseParser {
  /** The final response's status code, once its head is parsed (0 before). */
  status = 0;
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** Body bytes received (every hop's when the caller keeps one parser for a chain). */
  bodyBytes = 0;
  /** The start of the body, when `keepExcerpt` said so once the head was read. */
  excerpt = '';
  /** The Location header of the final head, when `wantLocation` was set. */
  location: string | undefined = undefined;
  /** Why parsing failed (for the errors log). */
  error = '';
  /** Set by the caller before `execute`: read Location (only while following redirects). */
  wantLocation = false;
  /** Called once the final head is read: keep the start of this body for the errors log? */
  keepExcerpt: (status: number) => boolean = () => false;
  /** Scenarios read whole bodies: keep up to this many bytes of every body (0: none) in `kept`. */
  keepBody = 0;
  /** The kept body bytes of the current response (copies: the read buffer is reused). */
  kept: Buffer[] = [];
  keptBytes = 0;
  /** With `keepBody`: the final head's header fields, names in lower case, in order. */
  headers: Array<[string, string]> = [];

  private state = COMPLETE;
  private noBody = false;
  private remaining = 0;
  private keep = false;
  private partial: Buffer | undefined = undefined;

  /** Gets ready for the next response; `head` is true when the request was a HEAD (no body). */
  reset(head: boolean): void {
    this.state = HEAD;
    this.noBody = head;
    this.status = 0;
    this.keepAlive = true;
    this.location = undefined;
    this.error = '';
    this.partial = undefined;
  }

  /** True once a byte of the response has been read: a failure after it is not a stale connection. */
  get started(): boolean {
    return this.state !== HEAD || this.partial !== undefined;
  }

  get complete(): boolean {
    return this.state === COMPLETE;
  }

  /** Feeds bytes [0, end) of `chunk`. Returns MORE, DONE, or FAILED (see `error`). */
  execute(chunk: Buffer, end: number): number {
    let p = 0;
    while (p < end) {
      switch (this.state) {
        case HEAD: {
          const r = this.readHead(chunk, p, end);
          if (r < 0) return this.state === HEAD && this.error === '' ? MORE : FAILED;
          p = r;
          break;
        }
        case LENGTH: {
          const take = Math.min(this.remaining, end - p);
          this.body(chunk, p, take);
          p += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = COMPLETE;
          break;
        }
        case UNTIL_CLOSE:
          this.body(chunk, p, end - p);
          p = end;
          break;
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, end - p);
          this.body(chunk, p, take);
          p += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = CHUNK_DATA_CR;
          break;
        }
        case COMPLETE:
          return this.fail('the server sent bytes after the response');
        default:
          if (!this.chunkByte(chunk[p++] as number)) return FAILED;
      }
      if (this.state === COMPLETE)
        return p === end ? DONE : this.fail('the server sent bytes after the response');
    }
    return this.state === COMPLETE ? DONE : MORE;
  }

  /** The server closed the connection: DONE for a body that runs until close, FAILED otherwise. */
  eof(): number {
    if (this.state === UNTIL_CLOSE) {
      this.state = COMPLETE;
      this.keepAlive = false;
      return DONE;
    }
    return this.fail(this.started ? 'closed mid-response' : 'closed before any response');
  }

  private fail(why: string): number {
    this.error = why;
    return FAILED;
  }

  /** Records why the head or framing is bad; false, for the callers' early returns. */
  private bad(why: string): false {
    this.error = why;
    return false;
  }

  private body(chunk: Buffer, at: number, n: number): void {
    this.bodyBytes += n;
    if (this.keptBytes < this.keepBody && n > 0) {
      const take = Math.min(n, this.keepBody - this.keptBytes);
      this.kept.push(Buffer.from(chunk.subarray(at, at + take)));
      this.keptBytes += take;
    }
    if (this.keep && n > 0 && this.excerpt.length < EXCERPT_BYTES) {
      this.excerpt += chunk.toString('utf8', at, at + Math.min(n, EXCERPT_BYTES - this.excerpt.length));
    }
  }

  /**
   * Reads a head starting at p. Returns the index after it, or -1: more bytes needed (the partial
   * head is kept) or failed (`error` set). Interim 1xx heads are skipped.
   */
  private readHead(chunk: Buffer, p: number, end: number): number {
    let b = chunk;
    let from = p;
    let stop = end;
    if (this.partial) {
      b = Buffer.concat([this.partial, chunk.subarray(p, end)]);
      from = 0;
      stop = b.length;
    }
    const found = b.indexOf(CRLFCRLF, from);
    const headEnd = found >= 0 && found + 4 <= stop ? found : -1;
    if (headEnd < 0) {
      if (stop - from > MAX_HEAD_BYTES) {
        this.fail(`response head over ${MAX_HEAD_BYTES} bytes`);
        return -1;
      }
      // Copy: the caller's buffer is reused for the next read.
      this.partial = Buffer.from(b.subarray(from, stop));
      return -1;
    }
    if (!this.parseHead(b, from, headEnd)) return -1;
    this.partial = undefined;
    // Where the body starts, in the caller's chunk (the partial part was all head).
    return end - (stop - (headEnd + 4));
  }

  /** Parses the status line and the headers in b[from, headEnd); sets the body state. */
  private parseHead(b: Buffer, from: number, headEnd: number): boolean {
    // "HTTP/1.x NNN" then a space or the end of the line.
    if (
      headEnd - from < 12 ||
      b[from] !== 72 ||
      b[from + 1] !== 84 ||
      b[from + 2] !== 84 ||
      b[from + 3] !== 80 ||
      b[from + 4] !== 47 ||
      b[from + 5] !== 49 ||
      b[from + 6] !== 46 ||
      b[from + 8] !== 32
    ) {
      return this.bad('not an HTTP/1.x response');
    }
    const d0 = (b[from + 9] as number) - 48;
    const d1 = (b[from + 10] as number) - 48;
    const d2 = (b[from + 11] as number) - 48;
    const after = b[from + 12];
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || (after !== 32 && after !== CR)) {
      return this.bad('a malformed status line');
    }
    const status = d0 * 100 + d1 * 10 + d2;
    let keepAlive = b[from + 7] === 49; // HTTP/1.1 keeps the connection unless told otherwise
    let length = -1;
    let chunked = false;
    // Scenario steps read headers; a plain load run allocates nothing for them.
    const heads: Array<[string, string]> | undefined = this.keepBody > 0 ? [] : undefined;
    let p = b.indexOf(LF, from) + 1;
    while (p < headEnd) {
      let eol = b.indexOf(CR, p);
      if (eol < 0 || eol > headEnd) eol = headEnd;
      const colon = b.indexOf(58, p);
      if (colon > p && colon < eol) {
        const len = colon - p;
        let v = colon + 1;
        while (v < eol && (b[v] === 32 || b[v] === 9)) v++;
        let ve = eol;
        while (ve > v && (b[ve - 1] === 32 || b[ve - 1] === 9)) ve--;
        if (len === 14 && nameIs(b, p, len, 'content-length')) {
          let n = 0;
          for (let i = v; i < ve; i++) {
            const c = (b[i] as number) - 48;
            if (c < 0 || c > 9 || n > 1e15) return this.bad('a malformed content-length');
            n = n * 10 + c;
          }
          if (ve === v || (length >= 0 && length !== n)) return this.bad('a malformed content-length');
          length = n;
        } else if (len === 17 && nameIs(b, p, len, 'transfer-encoding')) {
          chunked = /(^|,)\s*chunked\s*$/i.test(b.toString('latin1', v, ve));
        } else if (len === 10 && nameIs(b, p, len, 'connection')) {
          // The two usual values compared in place; a list ("keep-alive, Upgrade") as text.
          if (nameIs(b, v, ve - v, 'close')) keepAlive = false;
          else if (nameIs(b, v, ve - v, 'keep-alive')) keepAlive = true;
          else {
            const value = b.toString('latin1', v, ve).toLowerCase();
            if (value.includes('close')) keepAlive = false;
            else if (value.includes('keep-alive')) keepAlive = true;
          }
        } else if (len === 8 && this.wantLocation && nameIs(b, p, len, 'location')) {
          this.location = b.toString('latin1', v, ve);
        }
        heads?.push([b.toString('latin1', p, colon).toLowerCase(), b.toString('latin1', v, ve)]);
      }
      p = eol + 2;
    }
    if (status < 200 && status !== 101) {
      // An interim response: the final one follows.
      this.location = undefined;
      return true;
    }
    this.status = status;
    this.keepAlive = keepAlive && status !== 101;
    this.keep = this.keepExcerpt(status);
    if (this.keep) this.excerpt = '';
    this.kept = [];
    this.keptBytes = 0;
    this.headers = heads ?? NO_HEADERS;
    if (this.noBody || status === 204 || status === 304 || status === 101) this.state = COMPLETE;
    else if (chunked) this.state = CHUNK_SIZE;
    else if (length >= 0) {
      this.remaining = length;
      this.state = length === 0 ? COMPLETE : LENGTH;
    } else {
      this.state = UNTIL_CLOSE;
      this.keepAlive = false;
    }
    if (this.state === CHUNK_SIZE) this.remaining = -1;
    return true;
  }

  /** One byte of chunked framing (size line, the CRLF after data, trailers). False on bad framing. */
  private chunkByte(c: number): boolean {
    switch (this.state) {
      case CHUNK_SIZE: {
        const h = hexValue(c);
        if (h >= 0) {
          if (this.remaining > 0xffffffffff) return this.bad('a chunk size too large');
          this.remaining = Math.max(0, this.remaining) * 16 + h;
          return true;
        }
        if (this.remaining < 0) return this.bad('a malformed chunk size');
        if (c === CR) this.state = CHUNK_SIZE_LF;
        else if (c === 59 || c === 32 || c === 9) this.state = CHUNK_EXT;
        else return this.bad('a malformed chunk size');
        return true;
      }
      case CHUNK_EXT:
        if (c === CR) this.state = CHUNK_SIZE_LF;
        return true;
      case CHUNK_SIZE_LF:
        if (c !== LF) return this.bad('a malformed chunk size line');
        if (this.remaining === 0) {
          this.state = TRAILER;
          this.remaining = 0; // bytes on the current trailer line
        } else this.state = CHUNK_DATA;
        return true;
      case CHUNK_DATA_CR:
        if (c !== CR) return this.bad('a chunk without its CRLF');
        this.state = CHUNK_DATA_LF;
        return true;
      case CHUNK_DATA_LF:
        if (c !== LF) return this.bad('a chunk without its CRLF');
        this.state = CHUNK_SIZE;
        this.remaining = -1;
        return true;
      case TRAILER:
        // Trailer lines end with CRLF; an empty line ends the message.
        if (c === LF) {
          if (this.remaining === 0) this.state = COMPLETE;
          this.remaining = 0;
        } else if (c !== CR) this.remaining++;
        return true;
      default:
        return this.bad('unexpected parser state');
    }
  }
}
