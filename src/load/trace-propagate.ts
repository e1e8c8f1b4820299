import { randomBytes } from 'node:crypto';
import { PeaklabError } from '../shared/errors.js';
import type { ExchangeSink } from './recorder.js';
import type { Exchange } from './transport.js';

/**
 * `peaklab load --trace-propagate`: every HTTP request starts a trace of its own, sent as a W3C
 * `traceparent` with the sampled flag, so a parent-based sampler in the service records it. A
 * request's trace id is the run's random 64-bit prefix followed by the request's sequence number
 * (unique across threads), so no per-request state is kept: the slowest requests, tracked by
 * sequence number, name their trace ids in the report and the result file, and each can be looked
 * up in the tracing backend.
 */

/** How many of the slowest requests the result names. */
export const SLOWEST_KEPT = 10;

/** One of the slowest requests: its latency from the intended start (ms) and its trace id. */
export interface SlowRequest {
  readonly latencyMs: number;
  readonly seq: number;
  readonly traceId: string;
}

/** A fresh run prefix: 16 random hex digits. */
export function newTracePrefix(): string {
  return randomBytes(8).toString('hex');
}

/** The trace id of request `seq` in the run with `prefix`: 32 hex digits, never all zero. */
export function traceIdFor(prefix: string, seq: number): string {
  return `${prefix}${seq.toString(16).padStart(16, '0')}`;
}

/** A non-zero 16-hex-digit parent span id for request `seq` (a 64-bit mix of it). */
function spanIdFor(seq: number): string {
  let x = (seq + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  const hi = ((x ^ (x >>> 16)) >>> 0).toString(16).padStart(8, '0');
  return `${hi}${((seq >>> 0) | 1).toString(16).padStart(8, '0')}`;
}

/** The `traceparent` value of request `seq`: version 00, sampled (flags 01). */
export function traceparentFor(prefix: string, seq: number): string {
  return `00-${traceIdFor(prefix, seq)}-${spanIdFor(seq)}-01`;
}

/** Checks a prefix from options: 16 lower-case hex digits, not all zero. */
export function checkTracePrefix(prefix: string): string {
  if (!/^[0-9a-f]{16}$/.test(prefix) || /^0+$/.test(prefix)) {
    throw new PeaklabError('PL_USAGE', `traceIdPrefix "${prefix}": expected 16 hex digits, not all zero`);
  }
  return prefix;
}

/** The request headers plus a per-request traceparent (a {{traceparent PREFIX}} template). */
export function withTraceparent(
  headers: ReadonlyArray<readonly [string, string]>,
  prefix: string | undefined,
): ReadonlyArray<readonly [string, string]> {
  if (prefix === undefined) return headers;
  const own = headers.filter(([k]) => k.toLowerCase() !== 'traceparent');
  return [...own, ['traceparent', `{{traceparent ${checkTracePrefix(prefix)}}}`]];
}

/**
 * A sink that keeps the SLOWEST_KEPT slowest requests that got an outcome (latency from the
 * intended start, as the report's), passing every call on to `next`. O(1) for a request faster
 * than the kept minimum, which is nearly all of them.
 */
export class SlowestSink implements ExchangeSink {
  /** [latency ms, seq], unordered; `min` is the index of the fastest kept. */
  readonly #kept: Array<[number, number]> = [];
  #min = 0;

  constructor(private readonly next: ExchangeSink | undefined) {}

  record(x: Exchange, endMs: number): void {
    const ms = endMs - x.intended;
    const kept = this.#kept;
    if (kept.length < SLOWEST_KEPT) {
      kept.push([ms, x.seq]);
      if (kept.length === SLOWEST_KEPT) this.#findMin();
    } else if (ms > (kept[this.#min] as [number, number])[0]) {
      kept[this.#min] = [ms, x.seq];
      this.#findMin();
    }
    this.next?.record(x, endMs);
  }

  #findMin(): void {
    let m = 0;
    for (let i = 1; i < this.#kept.length; i++) {
      if ((this.#kept[i] as [number, number])[0] < (this.#kept[m] as [number, number])[0]) m = i;
    }
    this.#min = m;
  }

  dropped(intendedMs: number, second: number): void {
    this.next?.dropped(intendedMs, second);
  }

  unfinished(x: Exchange, endMs: number): void {
    this.next?.unfinished(x, endMs);
  }

  /** What it kept, as [latency ms, seq] pairs (plain data: it crosses from worker threads). */
  kept(): Array<[number, number]> {
    return this.#kept.slice();
  }
}

/** The run's slowest requests from every part's kept pairs, slowest first, with their trace ids. */
export function slowestOf(
  prefix: string,
  parts: ReadonlyArray<{ slowest?: Array<[number, number]> }>,
): SlowRequest[] {
  return parts
    .flatMap((p) => p.slowest ?? [])
    .sort((a, b) => b[0] - a[0])
    .slice(0, SLOWEST_KEPT)
    .map(([latencyMs, seq]) => ({
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      seq,
      traceId: traceIdFor(prefix, seq),
    }));
}

/** The text report's lines for them. */
export function slowestLines(slowest: readonly SlowRequest[] | undefined): string[] {
  if (slowest === undefined || slowest.length === 0) return [];
  return [
    '',
    'Slowest requests (trace ids, sent as traceparent; look them up in the tracing backend):',
    ...slowest.map((s) => `  ${s.latencyMs.toFixed(2)} ms\t${s.traceId}`),
  ];
}
