import { createWriteStream, type WriteStream, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PeaklabError } from '../shared/errors.js';
import type { ExchangeSink } from './recorder.js';
import type { Exchange } from './transport.js';

/** The JMeter CSV columns, in the order JMeter writes them; Jenkins' Performance plugin reads them. */
export const JTL_HEADER =
  'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect';

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csv(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export interface JtlRow {
  startEpochMs: number;
  elapsedMs: number;
  label: string;
  code: string;
  ok: boolean;
  message: string;
  thread: string;
  bytes: number;
  sentBytes: number;
  threads: number;
  url: string;
  latencyMs: number;
}

export function jtlLine(r: JtlRow): string {
  return [
    Math.round(r.startEpochMs),
    Math.round(r.elapsedMs),
    csv(r.label),
    csv(r.code),
    csv(r.message),
    csv(r.thread),
    'text',
    r.ok ? 'true' : 'false',
    r.ok ? '' : csv(r.message),
    r.bytes,
    r.sentBytes,
    r.threads,
    r.threads,
    csv(r.url),
    Math.round(r.latencyMs),
    0,
    0,
  ].join(',');
}

/** Creates (truncates) the output files once, before any thread appends to them. */
export function prepareFiles(jtl: string | undefined, errorsLog: string | undefined): void {
  try {
    if (jtl) writeFileSync(jtl, `${JTL_HEADER}\n`);
    if (errorsLog) writeFileSync(errorsLog, '');
  } catch (err) {
    const file = jtl ?? errorsLog;
    throw new PeaklabError('PL_FILE_INVALID', `cannot write ${file}: ${(err as Error).message}`);
  }
}

/** Lines are batched and appended whole, so threads appending to one file never split a line. */
class Appender {
  private buf = '';
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
  }

  add(line: string): void {
    this.buf += `${line}\n`;
    if (this.buf.length > 64 * 1024) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    this.stream.write(this.buf);
    this.buf = '';
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

export interface FileSinks extends ExchangeSink {
  close(): Promise<void>;
}

/** The --jtl and --errors-log writers of one engine; undefined when neither is asked for. */
export function openSinks(opts: {
  jtl?: string;
  errorsLog?: string;
  label: string;
  url: string;
  thread: string;
  threads: number;
}): FileSinks | undefined {
  if (!opts.jtl && !opts.errorsLog) return undefined;
  const jtl = opts.jtl ? new Appender(opts.jtl) : undefined;
  const errors = opts.errorsLog ? new Appender(opts.errorsLog) : undefined;
  const flusher = setInterval(() => {
    jtl?.flush();
    errors?.flush();
  }, 200);
  const origin = performance.timeOrigin;
  return {
    record(x: Exchange, endMs: number) {
      const message = x.error || (x.ok ? 'OK' : x.status);
      jtl?.add(
        jtlLine({
          startEpochMs: origin + x.intended,
          elapsedMs: endMs - x.intended,
          label: opts.label,
          code: x.status || x.error,
          ok: x.ok,
          message,
          thread: opts.thread,
          bytes: x.bytesIn,
          sentBytes: x.bytesOut,
          threads: opts.threads,
          url: opts.url,
          latencyMs: endMs - x.sent,
        }),
      );
      if (errors && !x.ok) {
        errors.add(
          JSON.stringify({
            time: new Date(origin + endMs).toISOString(),
            seq: x.seq,
            second: x.second,
            status: x.status || null,
            error: x.error || null,
            latencyMs: Math.round((endMs - x.intended) * 1000) / 1000,
            body: x.excerpt,
          }),
        );
      }
    },
    async close() {
      clearInterval(flusher);
      await Promise.all([jtl?.close(), errors?.close()]);
    },
  };
}
