/**
 * A backlog's extremes per sine cycle: the same definition for the probe's readings and for the fluid
 * model, so the two compare like for like. Peaks and lows are where the backlog's slope is flat, so a
 * reading a little early or late changes them little (at a cycle's end the backlog moves by tens of
 * orders a second).
 */

export interface BacklogPoint {
  atMs: number;
  depth: number | null;
}

export interface CycleExtremes {
  /** The highest backlog within each cycle [kP, (k+1)P); null: no reading in it. */
  peaks: Array<number | null>;
  /**
   * The lowest backlog after each cycle's peak and before the next one's (the seed's "night"); for the
   * last cycle, up to the last point (after the load). Null: no reading there.
   */
  lows: Array<number | null>;
  /** When each peak was read (the first reading of the highest value); null: no reading. */
  peakAtMs: Array<number | null>;
}

export function cycleExtremes(
  points: readonly BacklogPoint[],
  periodMs: number,
  cycles: number,
): CycleExtremes {
  const known = points.filter((p): p is { atMs: number; depth: number } => p.depth !== null);
  const peakAt: Array<number | null> = [];
  const peaks: Array<number | null> = [];
  for (let k = 0; k < cycles; k++) {
    let best: { atMs: number; depth: number } | null = null;
    for (const p of known) {
      if (p.atMs >= k * periodMs && p.atMs < (k + 1) * periodMs && (best === null || p.depth > best.depth))
        best = p;
    }
    peaks.push(best?.depth ?? null);
    peakAt.push(best?.atMs ?? null);
  }
  const lows = peakAt.map((from, k) => {
    if (from === null) return null;
    const to = k + 1 < cycles ? (peakAt[k + 1] ?? (k + 1) * periodMs) : Number.POSITIVE_INFINITY;
    let low: number | null = null;
    for (const p of known) if (p.atMs > from && p.atMs < to && (low === null || p.depth < low)) low = p.depth;
    return low;
  });
  return { peaks, lows, peakAtMs: peakAt };
}

/**
 * Whether the peaks grew from the first cycle to the last by more than a tenth of the highest, so
 * reading jitter is not mistaken for growth. False with fewer than two known peaks.
 */
export function peaksGrew(peaks: ReadonlyArray<number | null>): boolean {
  const known = peaks.filter((v): v is number => v !== null);
  if (known.length < 2) return false;
  const tolerance = Math.max(1, Math.max(...known) / 10);
  return (known.at(-1) as number) - (known[0] as number) > tolerance;
}
