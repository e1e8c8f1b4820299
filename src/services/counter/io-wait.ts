import { performance } from 'node:perf_hooks';

interface Waiter {
  /** performance.now() at which it is due, in ms. */
  due: number;
  resolve: () => void;
}

/** Past this many ms to go, the pump sleeps on a timer first instead of spinning. */
const SLEEP_ABOVE_MS = 2;
/** How early the timer wakes before the due time, to absorb its lateness (>= 1 ms). */
const SLEEP_MARGIN_MS = 1.5;

/**
 * A simulated I/O wait of a fixed number of microseconds, for the memory store's
 * read-modify-write. setTimeout cannot do it: its delay is whole milliseconds with a 1 ms floor,
 * so a 200 µs "round trip" would take 1 ms or more. Instead, one pump per instance re-arms itself
 * with setImmediate (one event-loop turn, a few µs when idle, with I/O polled in between) and
 * resolves every waiter whose due time has passed; waits over 2 ms sleep on a timer first and
 * spin only the last 1.5 ms. Because every wait of an instance has the same length, due times
 * arrive in FIFO order and a plain queue is the timer wheel: one pump serves any number of waiters
 * at O(1) each. The cost: while a wait is pending the event loop does not block in its poll phase
 * (one core at 100% for the length of the wait), and a turn takes longer on a busy loop, so a wait
 * ends at `us` or later. io-wait.test.ts measures it.
 */
export class IoWait {
  private readonly ms: number;
  private queue: Waiter[] = [];
  private head = 0;
  private pumping = false;

  /** `us`: microseconds per wait, >= 0; 0 resolves on the next microtask. */
  constructor(readonly us: number) {
    if (!Number.isFinite(us) || us < 0) throw new RangeError(`io wait must be >= 0 µs, got ${us}`);
    this.ms = us / 1000;
  }

  /** Resolves `us` microseconds from now (or a little later: see the class comment). */
  wait(): Promise<void> {
    if (this.ms === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.queue.push({ due: performance.now() + this.ms, resolve });
      if (!this.pumping) {
        this.pumping = true;
        this.schedule(this.ms);
      }
    });
  }

  /** Waits not yet resolved. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  private schedule(aheadMs: number): void {
    if (aheadMs > SLEEP_ABOVE_MS) setTimeout(this.pump, aheadMs - SLEEP_MARGIN_MS);
    else setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    const now = performance.now();
    const q = this.queue;
    while (this.head < q.length && q[this.head]!.due <= now) q[this.head++]!.resolve();
    if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
      this.pumping = false;
      return;
    }
    // Drop the resolved prefix now and then, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
    this.schedule(this.queue[this.head]!.due - now);
  };
}
