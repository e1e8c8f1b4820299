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
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const before = loadavg().map((l) => l.toFixed(2));
  out('## bench: micro');
  out('');
  out(`command: npm run bench:micro${i > 0 ? ` -- --time ${time}` : ''}`);
  out(`date: ${new Date().toISOString()}`);
  out(`load average before: ${before.join(' ')} (${availableParallelism()} cores); node ${process.version}`);
  if (Number(before[0]) > 1.5) out('(a busy machine: ratios measured now are not results)');
  out(`time per task: ${time} ms`);
  out('');
  out('### locks: per-operation cost of the async mutex vs the inputq hand-off vs a plain add');
  out('');
  out(formatTable(await benchLocks(time)));
  out('');
  out("### strings: the seed's string building, in JS terms");
  out('');
  out(formatTable(await benchStrings(time)));
  out('');
  out('### simulated I/O wait of the memory store (accuracy and CPU, not cost per op)');
  out('');
  out(await benchIoWait());
  out('');
  out(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  out("no target: these are per-operation costs, each relative to its group's reference row.");
}

await main();
