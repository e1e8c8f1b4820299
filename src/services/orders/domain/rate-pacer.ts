import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The backend's capacity (`--process-rps`): each call takes the next free slot, spaced 1/rate apart,
 * so however many callers wait, at most `rate` pass in any second. Nothing is banked while idle
 * (a burst of one): after a quiet night the backend is no faster than its rate. 0 means unlimited.
 */
export class RatePacer {
  readonly #intervalMs: number;
  #nextFree = Number.NEGATIVE_INFINITY;

  constructor(rate: number) {
    this.#intervalMs = rate > 0 ? 1000 / rate : 0;
  }

  /** False when unlimited: the hot path then skips take() and its promise. */
  get limited(): boolean {
    return this.#intervalMs > 0;
  }

  /** Resolves when this caller may proceed. */
  async take(): Promise<void> {
    if (this.#intervalMs === 0) return;
    const now = performance.now();
    const slot = Math.max(this.#nextFree, now);
    this.#nextFree = slot + this.#intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}
