import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How busy the machine is, for bench/run.ts: a suite measured while other work takes the cores
 * compares a throttled reference, and its ratio is not a result.
 */

/** Busy and total jiffies of all CPUs, from the first line of /proc/stat (Linux). */
async function cpuJiffies(): Promise<{ busy: number; total: number } | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Cores' worth of CPU the whole machine used over the next `ms` milliseconds (0 to the number of
 * cores). Where /proc/stat is missing, the 1-min load average stands in.
 */
export async function busyCores(ms = 5000): Promise<number> {
  const a = await cpuJiffies();
  await sleep(ms);
  const b = await cpuJiffies();
  if (!a || !b || b.total === a.total) return loadavg()[0] ?? 0;
  return ((b.busy - a.busy) / (b.total - a.total)) * availableParallelism();
}

export interface Quiet {
  readonly quiet: boolean;
  readonly waitedS: number;
  readonly load: number[];
  readonly busyCores: number;
}

/**
 * Waits, up to `maxWaitS` seconds, until the machine is quiet: 1-min load average ≤ `maxLoad`, or
 * fewer than `maxLoad` cores busy over the last 5 s. The second test exists because the 1-min
 * average still carries the previous suite's own load for a minute or two after it ended, while
 * what throttles the next suite is what runs now. `onWait` hears each busy sample.
 */
export async function waitForQuiet(
  maxLoad: number,
  maxWaitS: number,
  onWait: (load: number, busy: number) => void = () => {},
): Promise<Quiet> {
  const start = Date.now();
  for (;;) {
    const busy = await busyCores(5000);
    const load = loadavg();
    const waitedS = (Date.now() - start) / 1000;
    const quiet = (load[0] ?? 0) <= maxLoad || busy < maxLoad;
    if (quiet || waitedS >= maxWaitS) return { quiet, waitedS, load, busyCores: busy };
    onWait(load[0] ?? 0, busy);
  }
}
