import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './types.js';

export type Histogram = hdr.Histogram;

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
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: digits,
    autoResize: false,
  });
}

/** Records milliseconds at microsecond resolution, clamped into the histogram's fixed range. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(Math.min(Math.max(us, 1), HIGHEST_US));
}

export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decode(data: string): Histogram {
  return hdr.decodeFromCompressedBase64(data, 32, false, HIGHEST_US);
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

export function summarize(h: Histogram): LatencySummary {
  const percentiles: Record<string, number> = {};
  for (const [name, p] of PERCENTILES) percentiles[name] = percentileMs(h, p);
  const empty = h.totalCount === 0;
  return {
    count: h.totalCount,
    minMs: empty ? 0 : h.minNonZeroValue / 1000,
    meanMs: empty ? 0 : h.mean / 1000,
    maxMs: empty ? 0 : h.maxValue / 1000,
    percentiles,
  };
}

/** Calls fn for every distinct recorded value (µs, HDR-equivalent) with its count, in order. */
export function forEachRecorded(h: Histogram, fn: (valueUs: number, count: number) => void): void {
  if (!(h instanceof hdr.JsHistogram)) return;
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    fn(v.valueIteratedTo, v.countAtValueIteratedTo);
  }
}
