import type { SpanContext } from '@opentelemetry/api';
import { activeSpanContext, batchSpan } from '../telemetry/spans.js';

interface Waiter<R> {
  resolve(value: R): void;
  reject(err: unknown): void;
}

/**
 * One result per item of a flush, in order: a value, or the Error that failed that item alone.
 * (So R itself must never be an Error or undefined.)
 */
export type ItemResults<R> = ReadonlyArray<R | Error>;

/** Writes one batch; resolves with one result per item, in order. */
export type BatchWrite<T, R> = (items: T[]) => Promise<ItemResults<R>>;

export interface BatchWriterOptions {
  /**
   * Names a span per flush ("orders insert") that links to the span of every add() it carries
   * (see batchSpan); unset = no span.
   */
  readonly spanName?: string;
}

/**
 * Group commit: every item added during one event-loop turn goes into ONE flush (one multi-row
 * INSERT, one script call), and each add() resolves only once its flush has committed. While `maxInFlight` flushes
 * are running, new items wait and form the next, bigger batch: the busier it is, the bigger the batch.
 * A flush that throws fails all its items; one that returns an Error for an item fails that item only.
 */
export class BatchWriter<T, R> {
  #items: T[] = [];
  #waiters: Array<Waiter<R>> = [];
  /** Per item, the span that added it (only with a spanName). */
  #callers: Array<SpanContext | undefined> = [];
  #inFlight = 0;
  /** The waiters of each flush being written, so a deadline can fail them. */
  readonly #flying = new Set<Array<Waiter<R>>>();
  #scheduled = false;
  #closed = false;
  readonly #run = () => this.#flushNow();

  constructor(
    private readonly flush: BatchWrite<T, R>,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
    private readonly opts: BatchWriterOptions = {},
  ) {}

  /** Resolves with the item's result once its batch committed; rejects if it did not. */
  add(item: T): Promise<R> {
    if (this.#closed) return Promise.reject(new Error('not written: the writer is stopped'));
    return new Promise<R>((resolve, reject) => {
      this.#items.push(item);
      this.#waiters.push({ resolve, reject });
      if (this.opts.spanName !== undefined) this.#callers.push(activeSpanContext());
      this.#schedule();
    });
  }

  /**
   * Refuses new items and writes what is pending. Resolves with 0 once nothing is pending or in
   * flight; when `signal` aborts first, fails every item still waiting or being written (a
   * write that was in flight may yet commit, but nobody hears of it) and resolves with their count.
   */
  async drain(signal: AbortSignal): Promise<number> {
    this.#closed = true;
    while ((this.#items.length > 0 || this.#inFlight > 0) && !signal.aborted) {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (this.#items.length === 0 && this.#inFlight === 0) return 0;
    const err = new Error('not written: the writer stopped at the shutdown deadline');
    let dropped = this.#waiters.length;
    for (const w of this.#waiters) w.reject(err);
    this.#items = [];
    this.#waiters = [];
    this.#callers = [];
    for (const waiters of this.#flying) {
      dropped += waiters.length;
      for (const w of waiters) w.reject(err);
    }
    this.#flying.clear();
    return dropped;
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
    let waiters: Array<Waiter<R>>;
    let callers: Array<SpanContext | undefined>;
    if (this.#items.length <= this.maxBatch) {
      items = this.#items;
      waiters = this.#waiters;
      callers = this.#callers;
      this.#items = [];
      this.#waiters = [];
      this.#callers = [];
    } else {
      items = this.#items.splice(0, this.maxBatch);
      waiters = this.#waiters.splice(0, this.maxBatch);
      callers = this.#callers.splice(0, this.maxBatch);
    }
    this.#inFlight++;
    this.#flying.add(waiters);
    const { spanName } = this.opts;
    const write =
      spanName === undefined
        ? this.flush(items)
        : batchSpan(spanName, callers, items.length, () => this.flush(items));
    write.then(
      (results) => {
        this.#flying.delete(waiters);
        for (let i = 0; i < waiters.length; i++) {
          const w = waiters[i] as Waiter<R>;
          const r = results[i];
          if (r instanceof Error) w.reject(r);
          else if (r === undefined)
            w.reject(new Error('group commit: the flush returned no result for an item'));
          else w.resolve(r);
        }
        this.#done();
      },
      (err: unknown) => {
        this.#flying.delete(waiters);
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
