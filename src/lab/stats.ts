/** Small statistics over arrays the lab holds in full (a run's order latencies: thousands, not millions). */

/** Nearest-rank percentile of an ascending-sorted array; null when empty. */
export function percentileSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function maxOf(values: ReadonlyArray<number | null>): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && (best === null || v > best)) best = v;
  return best;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function roundOrNull(n: number | null, digits = 1): number | null {
  return n === null ? null : round(n, digits);
}
