import type { ServiceRuntime } from '../runtime.js';
import { traceHeaders } from '../telemetry/spans.js';
import type {
  Delivery,
  MessageHeaders,
  PublishOptions,
  UndecodableHandler,
  WorkQueue,
  WorkSource,
} from './types.js';

interface Entry<T> {
  readonly item: T;
  readonly headers: MessageHeaders;
  readonly faults: number;
  /** performance.now() when it entered the queue (a retry keeps its first time). */
  readonly since: number;
}

/** A dead-lettered item, kept for inspection. */
export interface DeadLetter<T> {
  readonly item: T;
  readonly reason: string;
  readonly attempts: number;
}

const DEAD_KEPT = 1000;
const NO_HEADERS: MessageHeaders = Object.freeze({});

/**
 * The in-process queue, used when no NATS_URL is set. Same contract as JetStream (retries counted
 * per item, dead letters), but nothing is durable: items waiting here are lost if this process
 * dies. A graceful stop therefore works the queue off before exiting (see WorkerPool.drain), and
 * what is still here at the deadline is reported as dropped.
 */
export class MemoryWorkQueue<T> implements WorkQueue<T>, WorkSource<T> {
  readonly description: string;
  readonly durable = false;
  /** The most recent dead-lettered items, for inspection (the last 1000). */
  readonly dead: Array<DeadLetter<T>> = [];
  /** Dead-lettered since start (the list above keeps only the last 1000). */
  #deadCount = 0;
  #ready: Array<Entry<T> | undefined> = [];
  #head = 0;
  /** Waiting out a backoff, and delivered but not settled. */
  readonly #held = new Set<Entry<T>>();
  #outstanding = 0;
  #stopped = false;
  #closed = false;
  #wake: (() => void) | undefined;

  /** `unit` names the items in the description and the dropped count ("orders"). */
  constructor(readonly unit = 'items') {
    this.description = `in-process queue: ${unit} waiting in the queue are lost if this process dies`;
  }

  async publish(item: T, opts?: PublishOptions): Promise<void> {
    if (this.#closed) throw new Error('the in-process queue is closed');
    // No messaging system to name a span after, but the trace still crosses to the worker.
    const headers = opts?.headers ?? traceHeaders() ?? NO_HEADERS;
    this.#push({ item, headers, faults: 0, since: performance.now() });
  }

  depth(): number {
    return this.#ready.length - this.#head + this.#held.size;
  }

  /** Age of the oldest item it holds, in seconds; 0 when empty. */
  oldestAgeSeconds(): number {
    let oldest = Number.POSITIVE_INFINITY;
    const first = this.#ready[this.#head];
    if (first !== undefined) oldest = first.since;
    for (const e of this.#held) if (e.since < oldest) oldest = e.since;
    return Number.isFinite(oldest) ? (performance.now() - oldest) / 1000 : 0;
  }

  /** Items dead-lettered since start. */
  deadLetters(): number {
    return this.#deadCount;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#signal();
  }

  /**
   * Takes no more items and gives up what it still holds: resolves with how many that is. Called
   * at shutdown after the worker pool has drained it as far as the deadline allowed.
   */
  async close(): Promise<number> {
    this.#closed = true;
    await this.stop();
    const left = this.depth();
    this.#ready = [];
    this.#head = 0;
    this.#held.clear();
    return left;
  }

  /** Every entry is an item already, so nothing here is ever undecodable. */
  async *deliveries(prefetch: number, _undecodable?: UndecodableHandler): AsyncIterable<Delivery<T>> {
    while (!this.#stopped) {
      if (this.#outstanding >= prefetch || this.#head >= this.#ready.length) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      const entry = this.#ready[this.#head] as Entry<T>;
      this.#ready[this.#head++] = undefined;
      if (this.#head > 1024 && this.#head * 2 > this.#ready.length) {
        this.#ready = this.#ready.slice(this.#head);
        this.#head = 0;
      }
      this.#outstanding++;
      this.#held.add(entry);
      yield this.#delivery(entry);
    }
  }

  #delivery(entry: Entry<T>): Delivery<T> {
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      this.#outstanding--;
      this.#held.delete(entry);
      this.#signal();
      return true;
    };
    const later = (next: Entry<T>, delayMs: number) => {
      this.#held.add(next);
      setTimeout(() => {
        // Gone when the queue was closed meanwhile: it was counted as dropped then.
        if (this.#held.delete(next)) this.#push(next);
      }, delayMs).unref();
    };
    return {
      item: entry.item,
      headers: entry.headers,
      faults: entry.faults,
      ack: async () => {
        settle();
      },
      release: (delayMs) => {
        if (settle()) later(entry, delayMs);
      },
      fail: async (delayMs) => {
        if (settle()) later({ ...entry, faults: entry.faults + 1 }, delayMs);
      },
      deadLetter: async (reason) => {
        if (!settle()) return;
        this.#deadCount++;
        this.dead.push({ item: entry.item, reason, attempts: entry.faults + 1 });
        if (this.dead.length > DEAD_KEPT) this.dead.shift();
      },
    };
  }

  #push(entry: Entry<T>): void {
    this.#ready.push(entry);
    this.#signal();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/**
 * An in-process queue registered on the runtime: at shutdown (after the worker pool drained it)
 * whatever it still holds is dropped and counted in `unit` ("orders"), making the stop unclean.
 */
export function openMemoryQueue<T>(rt: ServiceRuntime, unit: string): MemoryWorkQueue<T> {
  const queue = new MemoryWorkQueue<T>(unit);
  rt.lifecycle.add({ name: 'in-process queue', unit, drain: () => queue.close() });
  return queue;
}
