import type { ServiceRuntime } from '../runtime.js';
import type {
  Delivery,
  MessageHeaders,
  PublishOptions,
  UndecodableHandler,
  WorkQueue,
  WorkSource,
} from './types.js';

interface Entry<T> {
  item: T;
  headers: MessageHeaders;
  attempt: number;
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
 * The in-process queue, used when no NATS_URL is set. Same contract as JetStream (retries, a
 * dead-letter list), but nothing is durable: items waiting here are lost if this process dies.
 */
export class MemoryWorkQueue<T> implements WorkQueue<T>, WorkSource<T> {
  readonly description = 'in-process queue: orders waiting in the queue are lost if this process dies';
  /** The most recent dead-lettered items, for inspection (the last 1000). */
  readonly dead: Array<DeadLetter<T>> = [];
  #ready: Array<Entry<T> | undefined> = [];
  #head = 0;
  #delayed = 0;
  #outstanding = 0;
  #stopped = false;
  #wake: (() => void) | undefined;

  async publish(item: T, opts?: PublishOptions): Promise<void> {
    this.#push({ item, headers: opts?.headers ?? NO_HEADERS, attempt: 1 });
  }

  depth(): number {
    return this.#ready.length - this.#head + this.#delayed + this.#outstanding;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#signal();
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
      yield this.#delivery(entry);
    }
  }

  #delivery(entry: Entry<T>): Delivery<T> {
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      this.#outstanding--;
      this.#signal();
      return true;
    };
    return {
      item: entry.item,
      headers: entry.headers,
      attempt: entry.attempt,
      ack: async () => {
        settle();
      },
      retry: (delayMs) => {
        if (!settle()) return;
        this.#delayed++;
        setTimeout(() => {
          this.#delayed--;
          this.#push({ ...entry, attempt: entry.attempt + 1 });
        }, delayMs).unref();
      },
      deadLetter: async (reason) => {
        if (!settle()) return;
        this.dead.push({ item: entry.item, reason, attempts: entry.attempt });
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

/** An in-process queue whose consumers are stopped at shutdown (registered on the runtime). */
export function openMemoryQueue<T>(rt: ServiceRuntime): MemoryWorkQueue<T> {
  const queue = new MemoryWorkQueue<T>();
  rt.lifecycle.add({ name: 'in-process queue', close: () => queue.stop() });
  return queue;
}
