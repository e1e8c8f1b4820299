import { performance } from 'node:perf_hooks';

interface Waiter {
  /** performance.now() at which it is due, in ms. */
  due: number;
  resolve: () => void;
}

/**
 * The resolution of a simulated I/O wait, in ms: Node's timers (libuv's poll timeout) count whole
 * milliseconds with a 1 ms floor, and nothing finer is possible without keeping the event loop
 * from sleeping, i.e. burning a core.
 */
export const IO_WAIT_RESOLUTION_MS = 1;

/**
 * A simulated I/O wait of a fixed number of microseconds, for the memory store's read-modify-write.
 * It never spins: one timer per instance (a one-slot timer wheel) sleeps until the oldest waiter is
 * due, resolves every waiter due by then, and re-arms for the next. Because every wait of an
 * instance has the same length, due times arrive in FIFO order, so a plain queue is the wheel and
 * any number of waiters cost one timer.
 *
 * Real resolution (measured in io-wait.test.ts and bench:micro): a wait of `us` > 0 ends on the
 * first timer firing at or after its due time: never early, at least IO_WAIT_RESOLUTION_MS (1 ms)
 * after it began, and up to about a millisecond past `us` (more on a busy event loop). So every
 * `--io-us` from 1 to 1000 behaves as a ~1 ms round trip, and larger values are rounded up to the
 * next millisecond. `us` = 0 waits exactly one event-loop turn (setImmediate): other calls' I/O is
 * polled in between, which is all a race needs, at no timer cost.
 */
export class IoWait {
  private readonly ms: number;
  private queue: Waiter[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `us`: microseconds per wait, >= 0; 0 is one event-loop turn. */
  constructor(readonly us: number) {
    if (!Number.isFinite(us) || us < 0) throw new RangeError(`io wait must be >= 0 µs, got ${us}`);
    this.ms = us / 1000;
  }

  /** Resolves `us` microseconds from now or later (see the class comment for how much later). */
  wait(): Promise<void> {
    if (this.ms === 0) return new Promise<void>((resolve) => setImmediate(resolve));
    return new Promise<void>((resolve) => {
      this.queue.push({ due: performance.now() + this.ms, resolve });
      if (this.timer === undefined) this.arm(this.ms);
    });
  }

  /** Waits not yet resolved (for 0 µs waits: always 0, they hold no state here). */
  get pending(): number {
    return this.queue.length - this.head;
  }

  private arm(aheadMs: number): void {
    // setTimeout truncates to whole ms (and takes at least 1): round up, so a wait never ends early.
    this.timer = setTimeout(this.fire, Math.max(IO_WAIT_RESOLUTION_MS, Math.ceil(aheadMs)));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    const q = this.queue;
    while (this.head < q.length && q[this.head]!.due <= now) q[this.head++]!.resolve();
    if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
      return;
    }
    // Drop the resolved prefix now and then, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
    this.arm(this.queue[this.head]!.due - now);
  };
}
