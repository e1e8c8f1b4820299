interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Group commit: every item added during one event-loop turn goes into ONE flush (one multi-row
 * INSERT), and each add() resolves only once its flush has committed. While `maxInFlight` flushes
 * are running, new items wait and form the next, bigger batch: the busier it is, the bigger the batch.
 */
export class GroupCommit<T> {
  #items: T[] = [];
  #waiters: Waiter[] = [];
  #inFlight = 0;
  #scheduled = false;
  readonly #run = () => this.#flushNow();

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#items.push(item);
      this.#waiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when nothing is pending or in flight. */
  async drain(): Promise<void> {
    while (this.#items.length > 0 || this.#inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.maxInFlight || this.#items.length === 0) return;
    this.#scheduled = true;
    setImmediate(this.#run);
  }

  #flushNow(): void {
    this.#scheduled = false;
    if (this.#items.length === 0) return;
    let items: T[];
    let waiters: Waiter[];
    if (this.#items.length <= this.maxBatch) {
      items = this.#items;
      waiters = this.#waiters;
      this.#items = [];
      this.#waiters = [];
    } else {
      items = this.#items.splice(0, this.maxBatch);
      waiters = this.#waiters.splice(0, this.maxBatch);
    }
    this.#inFlight++;
    this.flush(items).then(
      () => {
        for (const w of waiters) w.resolve();
        this.#done();
      },
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
        this.#done();
      },
    );
    this.#schedule();
  }

  #done(): void {
    this.#inFlight--;
    this.#schedule();
  }
}
