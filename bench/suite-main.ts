/**
 * One suite in its own process, for bench/run.ts: `node dist/bench/suite-main.js NAME [flags…]`
 * imports bench/NAME.js and awaits its main(flags), whose stdout is the suite's markdown.
 */
interface Suite {
  main(flags: string[]): Promise<void>;
}

const [name, ...flags] = process.argv.slice(2);
if (!name || !/^[\w-]+$/.test(name)) {
  process.stderr.write('usage: suite-main.js NAME [flags…]\n');
  process.exit(2);
}
const suite = (await import(`./${name}.js`)) as Suite;
await suite.main(flags);
// A suite may leave a handle open (a pool, a timer): its work is done, so end here.
process.exit(0);
