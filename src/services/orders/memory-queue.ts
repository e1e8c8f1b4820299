import type { Order } from './order.js';
import type { Delivery, OrderQueue, OrderSource, UndecodableHandler } from './ports.js';

interface Entry {
  order: Order;
  attempt: number;
}

const DEAD_KEPT = 1000;

/**
 * The in-process queue, used when no NATS_URL is set. Same contract as JetStream (retries, a
 * dead-letter list), but nothing is durable: orders waiting here are lost if this process dies.
 */
export class MemoryQueue implements OrderQueue, OrderSource {
  readonly description = 'in-process queue: orders waiting in the queue are lost if this process dies';
  /** The most recent dead-lettered orders, for inspection. */
  readonly dead: Array<{ order: Order; reason: string; attempts: number }> = [];
  #ready: Entry[] = [];
  #head = 0;
  #delayed = 0;
  #outstanding = 0;
  #stopped = false;
  #wake: (() => void) | undefined;

  async publish(order: Order): Promise<void> {
    this.#push({ order, attempt: 1 });
  }

  depth(): number {
    return this.#ready.length - this.#head + this.#delayed + this.#outstanding;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    await this.stop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#signal();
  }

  /** Every entry is an Order already, so nothing here is ever undecodable. */
  async *deliveries(prefetch: number, _undecodable?: UndecodableHandler): AsyncIterable<Delivery> {
    while (!this.#stopped) {
      if (this.#outstanding >= prefetch || this.#head >= this.#ready.length) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      const entry = this.#ready[this.#head] as Entry;
      this.#ready[this.#head++] = undefined as unknown as Entry;
      if (this.#head > 1024 && this.#head * 2 > this.#ready.length) {
        this.#ready = this.#ready.slice(this.#head);
        this.#head = 0;
      }
      this.#outstanding++;
      yield this.#delivery(entry);
    }
  }

  #delivery(entry: Entry): Delivery {
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      this.#outstanding--;
      this.#signal();
      return true;
    };
    return {
      order: entry.order,
      attempt: entry.attempt,
      ack: async () => {
        settle();
      },
      retry: (delayMs) => {
        if (!settle()) return;
        this.#delayed++;
        setTimeout(() => {
          this.#delayed--;
          this.#push({ order: entry.order, attempt: entry.attempt + 1 });
        }, delayMs).unref();
      },
      deadLetter: async (reason) => {
        if (!settle()) return;
        this.dead.push({ order: entry.order, reason, attempts: entry.attempt });
        if (this.dead.length > DEAD_KEPT) this.dead.shift();
      },
    };
  }

  #push(entry: Entry): void {
    this.#ready.push(entry);
    this.#signal();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
