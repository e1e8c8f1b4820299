import type { SineShape } from './types.js';

/** The load profile's spec for `runLoad`: `sine:MIN..MAX@PERIOD`, starting at the minimum. */
export function sineProfile({ minRps, maxRps, periodMs }: SineShape): string {
  return `sine:${minRps}..${maxRps}@${periodMs}ms`;
}

/** R(t) in requests/s at `tMs` after the start: mid + amp·sin(2πt/P − π/2), as `peaklab load` defines it. */
export function sineRate({ minRps, maxRps, periodMs }: SineShape, tMs: number): number {
  const mid = (minRps + maxRps) / 2;
  const amp = (maxRps - minRps) / 2;
  return mid + amp * Math.sin((2 * Math.PI * tMs) / periodMs - Math.PI / 2);
}

export function sineDurationMs(shape: SineShape): number {
  return shape.periodMs * shape.cycles;
}

/**
 * ∫ max(0, R(t) − limit) dt over the whole run: how many requests arrive above the limit, so how many
 * a shedder that admits `limit` per second must reject. The seed's part 1, predicted before the run.
 */
export function predictedRejections(shape: SineShape, limit: number): number {
  return integrate(shape, 0, sineDurationMs(shape), (r) => Math.max(0, r - limit));
}

// Midpoint rule at 1 ms steps: the integrand is smooth but has kinks where R crosses the limit,
// which Simpson's rule handles no better; 1 ms keeps the error far below one request.
function integrate(shape: SineShape, fromMs: number, toMs: number, f: (rate: number) => number): number {
  const stepMs = 1;
  let sum = 0;
  for (let t = fromMs + stepMs / 2; t < toMs; t += stepMs) sum += f(sineRate(shape, t));
  return (sum * stepMs) / 1000;
}

/**
 * The backlog a queue that works `capacity` orders a second holds `untilMs` after the start: a fluid
 * model (arrivals R(t) minus capacity, never below zero) in 10 ms steps. A prediction from the
 * settings, for comparison with the backlog the run measures.
 */
export function modelBacklogAt(shape: SineShape, capacity: number, untilMs: number): number {
  const stepMs = 10;
  let backlog = 0;
  for (let t = stepMs / 2; t < untilMs; t += stepMs) {
    backlog = Math.max(0, backlog + ((sineRate(shape, t) - capacity) * stepMs) / 1000);
  }
  return backlog;
}

/**
 * The fluid model's backlog over the run and the drain after it (no arrivals once the sine ends), every
 * `stepMs`, until it is empty after the load.
 */
export function modelBacklogSeries(
  shape: SineShape,
  capacity: number,
  stepMs = 50,
): Array<{ atMs: number; depth: number }> {
  const end = sineDurationMs(shape);
  const out: Array<{ atMs: number; depth: number }> = [];
  const inner = 10;
  let backlog = 0;
  for (let t = 0; t < end || backlog > 0; t += inner) {
    const arriving = t < end ? sineRate(shape, t + inner / 2) : 0;
    backlog = Math.max(0, backlog + ((arriving - capacity) * inner) / 1000);
    if ((t + inner) % stepMs === 0) out.push({ atMs: t + inner, depth: backlog });
    if (t > end + 3_600_000) break;
  }
  return out;
}
