import { request } from 'undici';
import { describeError, PeaklabError } from '../shared/errors.js';

/** Fetches a /metrics page as text; the port a scraper reads through (tests may pass their own). */
export type FetchText = (url: string, signal: AbortSignal) => Promise<string>;

/** Default bound on one /metrics body: far above a real service's few hundred KiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface FetchMetricsOptions {
  /** Aborts the request; pass AbortSignal.timeout(ms) so a stalled target cannot hold a scrape. */
  signal: AbortSignal;
  /** Most bytes of body read before the scrape is refused (default DEFAULT_MAX_BODY_BYTES). */
  maxBytes?: number;
}

// Plain text, not OpenMetrics: the reader needs neither exemplars nor the `# EOF` framing.
const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

/**
 * GETs a Prometheus /metrics page and returns its body as UTF-8 text, reading at most `maxBytes`.
 * @throws PeaklabError PL_TARGET_UNREACHABLE when the connection fails, the signal fires (timeout) or
 *   the status is not 200; PL_TARGET_INVALID when the body is larger than `maxBytes`.
 */
export async function fetchMetricsText(url: string, opts: FetchMetricsOptions): Promise<string> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, { signal: opts.signal, headers: { accept: ACCEPT } });
  } catch (err) {
    throw new PeaklabError('PL_TARGET_UNREACHABLE', `GET ${url}: ${reason(err, opts.signal)}`, {
      cause: err,
    });
  }
  const tooLarge = () =>
    new PeaklabError(
      'PL_TARGET_INVALID',
      `GET ${url}: the body is larger than ${maxBytes} bytes (the limit)`,
    );
  if (res.statusCode !== 200) {
    // The body of an error page is not needed; dropping it frees the connection.
    discard(res.body);
    throw new PeaklabError('PL_TARGET_UNREACHABLE', `GET ${url}: status ${res.statusCode}`);
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(res.body);
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) {
        discard(res.body);
        throw tooLarge();
      }
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof PeaklabError) throw err;
    throw new PeaklabError('PL_TARGET_UNREACHABLE', `GET ${url}: ${reason(err, opts.signal)}`, {
      cause: err,
    });
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

// Destroying an undici body emits an AbortError; nobody waits for that body any more, so it is dropped.
function discard(body: { on(event: 'error', fn: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => {});
  body.destroy();
}

function reason(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const why = signal.reason;
    return why instanceof Error && why.name === 'TimeoutError' ? 'timed out' : 'aborted';
  }
  const code = (err as { code?: unknown }).code;
  const text = describeError(err);
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}
