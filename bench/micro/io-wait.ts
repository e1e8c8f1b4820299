import { performance } from 'node:perf_hooks';
import { IoWait } from '../../src/services/counter/io-wait.js';
import { sampleWaits as sample } from '../../src/services/counter/testing/waits.js';

const at = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

/**
 * How long the memory store's simulated I/O really waits: IoWait(us) next to setTimeout(us/1000).
 * Both sleep on a timer (no spinning), so both have the timer's 1 ms resolution: the table shows
 * what `--io-us` really gives. 500 sequential waits each; median, p99 and max in µs, and the CPU
 * time IoWait took as a share of the wall time (a spinning wait would show ~100%).
 */
export async function benchIoWait(): Promise<string> {
  const lines = [
    '| requested | IoWait p50 | p99 | max | CPU | setTimeout p50 | p99 |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const us of [50, 200, 1000]) {
    const io = new IoWait(us);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const waits = await sample(500, () => io.wait());
    const cpu = process.cpuUsage(cpu0);
    const share = `${(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100).toFixed(0)}%`;
    const timers = await sample(200, () => new Promise<void>((r) => setTimeout(r, us / 1000)));
    const f = (v: number) => `${v.toFixed(0)} µs`;
    lines.push(
      `| ${us} µs | ${f(at(waits, 0.5))} | ${f(at(waits, 0.99))} | ${f(waits.at(-1)!)} | ${share} | ${f(at(timers, 0.5))} | ${f(at(timers, 0.99))} |`,
    );
  }
  return lines.join('\n');
}
