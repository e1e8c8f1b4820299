import { availableParallelism, loadavg } from 'node:os';
import { benchIoWait } from './io-wait.js';
import { benchLocks } from './locks.js';
import { benchStrings } from './strings.js';
import { formatTable } from './table.js';

/**
 * `npm run bench:micro`: the seed's "performance unit tests" on tinybench. Prints the load average
 * first (a ratio taken on a busy machine is not a result: rerun near 1), then one table per family,
 * per operation, with each row's ratio to its family's reference.
 * `--time <ms>` or `--time=<ms>`: time budget per task (default 1000).
 */
async function main(): Promise<void> {
  const i = process.argv.indexOf('--time');
  const eq = process.argv.find((a) => a.startsWith('--time='));
  const time = eq ? Number(eq.slice(7)) : i > 0 ? Number(process.argv[i + 1]) : 1000;
  if (!Number.isFinite(time) || time <= 0) {
    console.error('usage: bench:micro [--time <ms per task>]');
    process.exit(2);
  }
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  console.log(
    `load average: ${one} ${five} ${fifteen} (${availableParallelism()} cores); node ${process.version}`,
  );
  console.log(`time per task: ${time} ms\n`);
  console.log(formatTable(await benchLocks(time)));
  console.log('');
  console.log(formatTable(await benchStrings(time)));
  console.log('\nsimulated I/O wait of the memory store (accuracy, not cost):');
  console.log(await benchIoWait());
  const [after] = loadavg().map((l) => l.toFixed(2));
  console.log(`\nload average at the end: ${after}`);
}

await main();
