/**
 * `npm run bench`: every benchmark, one after the other, so they never compete for the 2 cores.
 * `npm run bench -- orders` runs only the named ones. Each prints its table and the ratio to its
 * in-run reference; copy the results, with the command, into BENCHMARKS.md.
 */
const SUITES = ['orders', 'load', 'sale', 'tracing'] as const;

interface Suite {
  main(args: string[]): Promise<void>;
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
for (const name of SUITES) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`\n## bench: ${name}\n\n`);
  const suite = (await import(`./${name}.js`)) as Suite;
  await suite.main(flags);
}
