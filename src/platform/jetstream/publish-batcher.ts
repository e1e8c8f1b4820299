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
  #scheduled = false;
  readonly #flush = () => {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    for (const p of batch) this.send(p.item).then(p.resolve, p.reject);
  };

  constructor(private readonly send: (item: T) => Promise<unknown>) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }
}
