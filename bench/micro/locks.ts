import { Mutex } from 'async-mutex';
import { Bench } from 'tinybench';
import { MemoryStore } from '../../src/services/counter/memory-store.js';
import type { Mode } from '../../src/services/counter/ports.js';
import { createIncrementer } from '../../src/services/counter/strategy.js';
import { type Row, rowsOf } from './table.js';

/** The memory store with no I/O wait at all (a resolved promise): only the coordination is measured. */
class NoWaitStore extends MemoryStore {
  override async read(): Promise<bigint> {
    return this.peek();
  }
}

/** Operations per task call: enough that a sample is microseconds, far above the timer's cost. */
const OPS = 100;

/**
 * The seed's mutex-vs-channel micro-benchmark, in Node terms. One thread, so a plain `+=` needs no
 * lock; what costs is coordinating an async critical section. Rows:
 * - `count += 1`: the floor;
 * - `async-mutex runExclusive(+=)`: the bare lock, uncontended;
 * - `<mode>, sequential`: the counter's own incrementers over the memory store with no I/O wait
 *   (a read resolves at once, so only the coordination is measured), one increment at a time;
 * - `<mode>, 100 concurrent`: 100 increments in flight at once, per increment: where the inputq
 *   owner batches and the mutex hands the lock on 99 times.
 * Reference: `atomic, sequential` (a plain add through the same code path).
 */
export async function benchLocks(time: number): Promise<Row[]> {
  const bench = new Bench({ time, warmupTime: Math.min(200, time) });
  let count = 0;
  bench.add('count += 1', () => {
    for (let i = 0; i < OPS; i++) count += 1;
  });
  const bare = new Mutex();
  bench.add('async-mutex runExclusive(+=)', async () => {
    for (let i = 0; i < OPS; i++)
      await bare.runExclusive(() => {
        count += 1;
      });
  });
  for (const mode of ['atomic', 'mutex', 'inputq'] satisfies Mode[]) {
    const seq = createIncrementer(mode, new NoWaitStore({ ioUs: 0 }), {
      capacity: 1_000_000,
      batchMax: 1024,
    });
    bench.add(`${mode}, sequential`, async () => {
      for (let i = 0; i < OPS; i++) await seq.increment(1);
    });
  }
  for (const mode of ['atomic', 'mutex', 'inputq'] satisfies Mode[]) {
    const par = createIncrementer(mode, new NoWaitStore({ ioUs: 0 }), {
      capacity: 1_000_000,
      batchMax: 1024,
    });
    const calls: Array<Promise<bigint>> = new Array(OPS);
    bench.add(`${mode}, 100 concurrent`, async () => {
      for (let i = 0; i < OPS; i++) calls[i] = par.increment(1);
      await Promise.all(calls);
    });
  }
  await bench.run();
  if (count === 0) throw new Error('unreachable: keeps `count` observable');
  const ops = Object.fromEntries(bench.tasks.map((t) => [t.name, OPS]));
  return rowsOf(bench, 'locks', ops, 'atomic, sequential');
}
