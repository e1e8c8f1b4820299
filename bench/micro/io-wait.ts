import { IoWait } from '../../src/services/counter/io-wait.js';
import { sampleWaits as sample } from '../../src/services/counter/testing/waits.js';

const at = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

/**
 * How long the memory store's simulated I/O really waits: IoWait(us) next to setTimeout(us/1000),
 * which cannot go under 1 ms. 500 sequential waits each; prints median, p99 and max in µs.
 */
export async function benchIoWait(): Promise<string> {
  const lines = ['requested   IoWait p50      p99      max   setTimeout p50      p99'];
  for (const us of [50, 200, 1000]) {
    const io = new IoWait(us);
    const waits = await sample(500, () => io.wait());
    const timers = await sample(200, () => new Promise<void>((r) => setTimeout(r, us / 1000)));
    const f = (v: number) => `${v.toFixed(0)} µs`.padStart(8);
    lines.push(
      `${`${us} µs`.padEnd(9)}  ${f(at(waits, 0.5))} ${f(at(waits, 0.99))} ${f(waits.at(-1)!)}       ${f(at(timers, 0.5))} ${f(at(timers, 0.99))}`,
    );
  }
  return lines.join('\n');
}
