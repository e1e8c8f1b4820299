interface Pending<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Gathers the publishes of one event-loop turn and issues them together, so the NATS client writes
 * them to its socket in one flush instead of one write per request. Each caller still waits for its
 * own acknowledgement, and one failed publish fails only its own caller.
 */
export class PublishBatcher<T> {
  #pending: Array<Pending<T>> = [];
  /** Sent, waiting for JetStream's acknowledgement. */
  readonly #unacked = new Set<Pending<T>>();
  #scheduled = false;
  #closed = false;
  readonly #flush = () => {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    for (const p of batch) {
      this.#unacked.add(p);
      this.send(p.item).then(
        () => {
          this.#unacked.delete(p);
          p.resolve();
        },
        (err: unknown) => {
          this.#unacked.delete(p);
          p.reject(err);
        },
      );
    }
  };

  constructor(private readonly send: (item: T) => Promise<unknown>) {}

  /** Resolves once JetStream acknowledged the item; rejects with the publish's error. */
  add(item: T): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('not published: the publisher is stopped'));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  /**
   * Refuses new publishes and waits for the ones sent to be acknowledged. Resolves with 0, or,
   * when `signal` aborts first, fails those still unacknowledged and resolves with their count:
   * their callers learn they were not published (a late acknowledgement may still store them).
   */
  async drain(signal: AbortSignal): Promise<number> {
    this.#closed = true;
    while ((this.#pending.length > 0 || this.#unacked.size > 0) && !signal.aborted) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const left = [...this.#pending, ...this.#unacked];
    this.#pending = [];
    this.#unacked.clear();
    const err = new Error('not published: the publisher stopped at the shutdown deadline');
    for (const p of left) p.reject(err);
    return left.length;
  }
}
