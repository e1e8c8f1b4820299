import { performance } from 'node:perf_hooks';

/** Microseconds each of `n` sequential waits took, sorted ascending (for the test and the bench). */
export async function sampleWaits(n: number, wait: () => Promise<void>): Promise<number[]> {
  const us: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await wait();
    us.push((performance.now() - t0) * 1000);
  }
  return us.sort((a, b) => a - b);
}
