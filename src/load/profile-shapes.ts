/**
 * Rate shapes over time, in seconds and requests/second. Each knows its rate, its integral (how many
 * requests should have started by t) and the inverse, which the open-model scheduler uses: the k-th
 * request (k from 0) starts where the integral leaves k, so starts track the profile exactly, not
 * per tick, and [0, T) holds exactly ceil(integral(T)) starts (integral(T) when it is whole).
 */
export interface RateShape {
  rateAt(t: number): number;
  integral(t: number): number;
  /** The smallest t >= from with integral(t) >= n, or Infinity when the rate never gets there. */
  timeOf(n: number, from: number): number;
  /**
   * When request k (0-based) starts: the first t >= from after which integral exceeds k, or
   * Infinity when it never does. Equal to timeOf(k) where the rate is positive; where it is zero
   * (constant:0, a zero step, the flat start of a trace) the start waits for the rate to rise, so
   * a zero rate starts nothing, not one request at t=0.
   */
  startOf(k: number, from: number): number;
}

/** A rate that changes linearly from r0 to r1 over [t0, t1]; the last segment holds its end rate. */
export interface Segment {
  t0: number;
  t1: number;
  r0: number;
  r1: number;
}

interface Prepared extends Segment {
  /** Integral up to t0. */
  cum: number;
}

/** Piecewise-linear rates: constant, ramp, steps, spike and trace are all this shape. */
export class PiecewiseLinear implements RateShape {
  private readonly segs: Prepared[] = [];

  constructor(segments: readonly Segment[]) {
    let cum = 0;
    for (const s of segments) {
      this.segs.push({ ...s, cum });
      cum += ((s.r0 + s.r1) / 2) * (s.t1 - s.t0);
    }
  }

  private segmentAt(t: number): Prepared {
    for (let i = this.segs.length - 1; i > 0; i--) {
      const s = this.segs[i] as Prepared;
      if (t >= s.t0) return s;
    }
    return this.segs[0] as Prepared;
  }

  rateAt(t: number): number {
    const s = this.segmentAt(t);
    if (t >= s.t1) return s.r1;
    return s.r0 + ((s.r1 - s.r0) * (t - s.t0)) / (s.t1 - s.t0);
  }

  integral(t: number): number {
    const s = this.segmentAt(t);
    if (t >= s.t1) return s.cum + ((s.r0 + s.r1) / 2) * (s.t1 - s.t0) + s.r1 * (t - s.t1);
    const d = t - s.t0;
    return s.cum + s.r0 * d + ((s.r1 - s.r0) * d * d) / (2 * (s.t1 - s.t0));
  }

  timeOf(n: number, from: number): number {
    return this.solve(n, from, false);
  }

  startOf(k: number, from: number): number {
    return this.solve(k, from, true);
  }

  /** The first t >= from where the integral reaches n (or, when `beyond`, passes n). */
  private solve(n: number, from: number, beyond: boolean): number {
    for (let i = 0; i < this.segs.length; i++) {
      const s = this.segs[i] as Prepared;
      const last = i === this.segs.length - 1;
      if (s.t1 <= from && !last) continue;
      const end = s.cum + ((s.r0 + s.r1) / 2) * (s.t1 - s.t0);
      // A segment that only reaches n passes it in a later one (a zero segment never passes it).
      const past = beyond ? n >= end : n > end;
      if (past && !last) continue;
      let t: number;
      if (past) {
        // Past the last segment: the end rate holds for ever.
        t = s.r1 > 0 ? s.t1 + (n - end) / s.r1 : Number.POSITIVE_INFINITY;
      } else {
        // Solve r0·d + a·d² = need with a = (r1-r0)/(2L), in the form that stays stable when a → 0.
        const need = n - s.cum;
        const a = (s.r1 - s.r0) / (2 * (s.t1 - s.t0));
        const disc = s.r0 * s.r0 + 4 * a * need;
        const root = Math.sqrt(Math.max(0, disc));
        const d = need <= 0 ? 0 : (2 * need) / (s.r0 + root);
        t = s.t0 + (Number.isFinite(d) ? d : 0);
      }
      return Math.max(t, from);
    }
    return Number.POSITIVE_INFINITY;
  }
}

/** R(t) = mid + amp·sin(2πt/P − π/2) = mid − amp·cos(2πt/P): it starts at the minimum. */
export class Sine implements RateShape {
  private readonly mid: number;
  private readonly amp: number;
  private readonly w: number;

  constructor(min: number, max: number, periodS: number) {
    this.mid = (min + max) / 2;
    this.amp = (max - min) / 2;
    this.w = (2 * Math.PI) / periodS;
  }

  rateAt(t: number): number {
    return this.mid - this.amp * Math.cos(this.w * t);
  }

  integral(t: number): number {
    return this.mid * t - (this.amp / this.w) * Math.sin(this.w * t);
  }

  timeOf(n: number, from: number): number {
    if (this.integral(from) >= n) return from;
    return this.bisect(n, from);
  }

  startOf(k: number, from: number): number {
    // The rate is zero at isolated instants at most (or everywhere, when mid is 0): the integral
    // rises strictly, so passing k and reaching it are the same instant, except at mid = 0.
    if (this.mid <= 0) return Number.POSITIVE_INFINITY;
    if (this.integral(from) > k) return from;
    return this.bisect(k, from);
  }

  private bisect(n: number, from: number): number {
    if (this.mid <= 0) return Number.POSITIVE_INFINITY;
    // The integral is non-decreasing, so bisection between a bracket always converges; Newton
    // steps inside the bracket make it fast.
    let lo = from;
    let hi = (n + this.amp / this.w) / this.mid + 1e-9;
    let t = Math.min(hi, Math.max(lo, from + 1 / Math.max(this.rateAt(from), this.mid)));
    for (let i = 0; i < 60 && hi - lo > 1e-9; i++) {
      const f = this.integral(t) - n;
      if (f >= 0) hi = t;
      else lo = t;
      const r = this.rateAt(t);
      const next = r > 0 ? t - f / r : Number.NaN;
      t = next > lo && next < hi ? next : (lo + hi) / 2;
    }
    return hi;
  }
}
