import { createWriteStream, type WriteStream, writeFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
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

/** The columns that are the same for every row of one run or thread, joined and quoted once. */
export interface JtlConstants {
  /** label, between elapsed and responseCode */
  readonly label: string;
  /** threadName and dataType, between responseMessage and success */
  readonly thread: string;
  /** grpThreads, allThreads and URL, between sentBytes and Latency */
  readonly threads: string;
}

export function jtlConstants(label: string, thread: string, threads: number, url: string): JtlConstants {
  return {
    label: `,${csv(label)},`,
    thread: `,${csv(thread)},text,`,
    threads: `,${threads},${threads},${csv(url)},`,
  };
}

/** The per-request columns of a JTL row. */
export interface JtlRow {
  startEpochMs: number;
  elapsedMs: number;
  code: string;
  ok: boolean;
  message: string;
  bytes: number;
  sentBytes: number;
  latencyMs: number;
}

/** JTL codes of the two outcomes that have no response: never sent, and no outcome at the end. */
export const DROPPED = 'dropped';
export const UNFINISHED = 'unfinished';
export const DROPPED_MESSAGE = 'not sent (over --max-inflight or queued when the run stopped)';
export const UNFINISHED_MESSAGE = 'no outcome (still in flight when the run ended)';

/**
 * The JTL responseMessage of a status: HTTP's reason phrase ("Not Found"), or a gRPC status's name
 * (which is its phrase: "NOT_FOUND").
 */
export function reasonPhrase(protocol: 'http' | 'grpc', status: string): string {
  return protocol === 'http' ? (STATUS_CODES[status] ?? '') : status;
}

/** One JMeter CSV row; IdleTime and Connect are not measured, so 0. */
export function jtlLine(c: JtlConstants, r: JtlRow): string {
  const message = csv(r.message);
  return `${Math.round(r.startEpochMs)},${Math.round(r.elapsedMs)}${c.label}${csv(r.code)},${message}${c.thread}${r.ok ? 'true,' : `false,${message}`},${r.bytes},${r.sentBytes}${c.threads}${Math.round(r.latencyMs)},0,0`;
}

/** The first line of an error message: the JTL's responseMessage and failureMessage. */
export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
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
  /** A --jtl row under a label of its own (a scenario's step, named by the step). */
  sample(label: string, row: JtlRow): void;
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
  protocol: 'http' | 'grpc';
}): FileSinks | undefined {
  if (!opts.jtl && !opts.errorsLog) return undefined;
  const jtl = opts.jtl ? new Appender(opts.jtl) : undefined;
  const errors = opts.errorsLog ? new Appender(opts.errorsLog) : undefined;
  const flusher = setInterval(() => {
    jtl?.flush();
    errors?.flush();
  }, 200);
  const origin = performance.timeOrigin;
  const constants = jtlConstants(opts.label, opts.thread, opts.threads, opts.url);
  const byLabel = new Map<string, JtlConstants>();
  const protocol = opts.protocol;
  return {
    record(x: Exchange, endMs: number) {
      const message = x.error ? firstLine(x.excerpt) : reasonPhrase(protocol, x.status);
      jtl?.add(
        jtlLine(constants, {
          startEpochMs: origin + x.intended,
          elapsedMs: endMs - x.intended,
          code: x.error || x.status,
          ok: x.ok,
          message,
          bytes: x.bytesIn,
          sentBytes: x.bytesOut,
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
    dropped(intendedMs: number) {
      jtl?.add(
        jtlLine(constants, {
          startEpochMs: origin + intendedMs,
          elapsedMs: 0,
          code: DROPPED,
          ok: false,
          message: DROPPED_MESSAGE,
          bytes: 0,
          sentBytes: 0,
          latencyMs: 0,
        }),
      );
    },
    unfinished(x: Exchange, endMs: number) {
      jtl?.add(
        jtlLine(constants, {
          startEpochMs: origin + x.intended,
          elapsedMs: endMs - x.intended,
          code: UNFINISHED,
          ok: false,
          message: UNFINISHED_MESSAGE,
          bytes: x.bytesIn,
          sentBytes: x.bytesOut,
          latencyMs: endMs - x.sent,
        }),
      );
    },
    sample(label, row) {
      if (jtl === undefined) return;
      let c = byLabel.get(label);
      if (c === undefined) {
        c = jtlConstants(label, opts.thread, opts.threads, opts.url);
        byLabel.set(label, c);
      }
      jtl.add(jtlLine(c, row));
    },
    async close() {
      clearInterval(flusher);
      await Promise.all([jtl?.close(), errors?.close()]);
    },
  };
}
