/**
 * The shed limit: a sliding one-second window over ADMITTED requests. A request is admitted while
 * fewer than `limit` were admitted in the last second; so at a steady 2×limit about half are shed.
 * A ring of the last `limit` admission times makes the check O(1). limit 0 means no limit.
 */
export class ShedWindow {
  readonly #times: Float64Array;
  #next = 0;

  constructor(readonly limit: number) {
    this.#times = new Float64Array(Math.max(limit, 0)).fill(Number.NEGATIVE_INFINITY);
  }

  tryAdmit(now: number = performance.now()): boolean {
    if (this.limit <= 0) return true;
    // The oldest of the last `limit` admissions: if it is still within the second, the window is full.
    const oldest = this.#times[this.#next] as number;
    if (now - oldest < 1000) return false;
    this.#times[this.#next] = now;
    this.#next = (this.#next + 1) % this.limit;
    return true;
  }
}
