import { createRequire } from 'node:module';
import type { LatencySummary } from './types.js';

/*
 * hdr-histogram-js, its JavaScript histograms only: the package's index also loads its WebAssembly
 * build (a 39 kB base64 string), log readers and writers, which a load run never uses and which cost
 * ~70 ms of CPU at every start-up. The modules below are its own, unchanged.
 */
const require = createRequire(import.meta.url);
const { JsHistogram } =
  require('hdr-histogram-js/dist/JsHistogram.js') as typeof import('hdr-histogram-js/dist/JsHistogram.js');
const { default: Int32Histogram } =
  require('hdr-histogram-js/dist/Int32Histogram.js') as typeof import('hdr-histogram-js/dist/Int32Histogram.js');
// Adds encodeIntoCompressedBase64 to JsHistogram and exports the V2 decoder.
const { decompress, doDecode } =
  require('hdr-histogram-js/dist/JsHistogram.encoding.js') as typeof import('hdr-histogram-js/dist/JsHistogram.encoding.js');

export type Histogram = InstanceType<typeof JsHistogram>;

/**
 * An Int32 HDR histogram whose bucket index is computed with integer operations (Math.clz32 and a
 * shift) instead of the library's Math.log2, Math.pow and division: the same index for every value
 * below 2^32 (ours stop at one hour in µs, 3.6e9), at a third of the cost. Recording is the load
 * generator's per-request work, three times per request.
 */
class FastHistogram extends Int32Histogram {
  override countsArrayIndex(value: number): number {
    const bucket = Math.max(
      0,
      31 - Math.clz32(value) - this.subBucketHalfCountMagnitude - this.unitMagnitude,
    );
    const subBucket = value >>> (bucket + this.unitMagnitude);
    return ((bucket + 1) << this.subBucketHalfCountMagnitude) + subBucket - this.subBucketHalfCount;
  }
}

/** One hour in microseconds: the top of every histogram, so memory is fixed whatever the run's length. */
const HIGHEST_US = 3_600_000_000;

export const PERCENTILES: ReadonlyArray<readonly [string, number]> = [
  ['p10', 10],
  ['p25', 25],
  ['p50', 50],
  ['p75', 75],
  ['p90', 90],
  ['p95', 95],
  ['p99', 99],
  ['p99.9', 99.9],
];

/**
 * A latency histogram in microseconds. Whole-run histograms keep 3 significant digits; the
 * per-second ones keep 2, because there are many of them and they only feed the timeline.
 */
export function newHistogram(digits: 2 | 3 = 3): Histogram {
  const h = new FastHistogram(1, HIGHEST_US, digits);
  h.autoResize = false;
  return h;
}

/** Records milliseconds at microsecond resolution, clamped into the histogram's fixed range. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(Math.min(Math.max(us, 1), HIGHEST_US));
}

/** HdrHistogram's V2 compressed encoding, in base64 (what the result JSON stores). */
export function encode(h: Histogram): string {
  return h.encodeIntoCompressedBase64();
}

/** Decodes `encode`'s output (or any V2 compressed base64 histogram) into an Int32 histogram. */
export function decode(data: string): Histogram {
  return doDecode(decompress(Buffer.from(data.trim(), 'base64')), 32, HIGHEST_US);
}

/** Merges encoded histograms (from workers, or from seconds of a window) into one. */
export function mergeEncoded(parts: readonly (string | undefined)[], digits: 2 | 3 = 3): Histogram {
  const out = newHistogram(digits);
  for (const p of parts) {
    if (!p) continue;
    const h = decode(p);
    out.add(h);
  }
  return out;
}

export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000;
}

/**
 * The mean (µs) exactly as the library's `mean` computes it (each bucket's median equivalent value
 * times its count, in index order), by one pass over the counts array instead of the library's
 * iterator, which costs ~30 ms per whole-run histogram.
 */
export function meanUs(h: Histogram): number {
  if (h.totalCount === 0) return 0;
  let total = 0;
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c !== 0) total += h.medianEquivalentValue(h.valueFromIndex(i)) * c;
  }
  return total / h.totalCount;
}

export function summarize(h: Histogram): LatencySummary {
  const percentiles: Record<string, number> = {};
  for (const [name, p] of PERCENTILES) percentiles[name] = percentileMs(h, p);
  const empty = h.totalCount === 0;
  return {
    count: h.totalCount,
    minMs: empty ? 0 : h.minNonZeroValue / 1000,
    meanMs: empty ? 0 : meanUs(h) / 1000,
    maxMs: empty ? 0 : h.maxValue / 1000,
    percentiles,
  };
}

/** Calls fn for every distinct recorded value (µs, HDR-equivalent) with its count, in order. */
export function forEachRecorded(h: Histogram, fn: (valueUs: number, count: number) => void): void {
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    fn(v.valueIteratedTo, v.countAtValueIteratedTo);
  }
}
