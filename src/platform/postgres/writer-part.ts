import type { Stoppable } from '../lifecycle/lifecycle.js';
import type { BatchWriter } from './batch-writer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A group-commit writer that knows how many items it holds (added, not yet committed or failed),
 * so that shutdown can wait for them and say how many it had to drop: each is a caller still
 * waiting for its commit, i.e. a request that will not be answered.
 */
export class CountedWriter<T, R> {
  #pending = 0;
  readonly #settled = () => {
    this.#pending--;
  };

  constructor(private readonly writer: BatchWriter<T, R>) {}

  /** As BatchWriter.add: resolves once the item's batch committed. */
  add(item: T): Promise<R> {
    this.#pending++;
    const p = this.writer.add(item);
    p.then(this.#settled, this.#settled);
    return p;
  }

  /** Items added and not yet settled. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * The writer as a lifecycle part named `name`: its drain waits until nothing is pending, or
   * until the drain deadline aborts it; it then resolves with how many items were still pending,
   * counted in `unit` ("rows").
   */
  part(name: string, unit: string): Stoppable {
    return {
      name,
      unit,
      drain: async (signal: AbortSignal) => {
        while (this.#pending > 0 && !signal.aborted) await sleep(5);
        return this.#pending;
      },
    };
  }
}
