import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PEAKLAB_BIN } from '../shared/child-service.js';

const run = promisify(execFile);
const HOOK = fileURLToPath(new URL('./testing/trace-loads.js', import.meta.url));
/** The heavy drivers and servers a help screen must never load. */
const HEAVY = [
  '@electric-sql/pglite',
  'fastify',
  'pg',
  '@nats-io/',
  'ioredis',
  'prom-client',
  'pino',
  'undici',
];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peaklab-loads-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** The npm packages `peaklab ARGS` loads, by name. */
async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const file = join(dir, `${args.join('_').replace(/\W/g, '')}.txt`);
  await run(process.execPath, ['--import', HOOK, PEAKLAB_BIN, ...args], {
    env: { ...process.env, PEAKLAB_TRACE_LOADS: file },
  });
  const urls = (await readFile(file, 'utf8')).split('\n');
  const names = new Set<string>();
  for (const url of urls) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) names.add(m[1] as string);
  }
  return names;
}

for (const args of [
  ['--help'],
  ['load', '--help'],
  ['serve', 'orders', '--help'],
  ['serve', 'sale', '--help'],
  ['lab', 'smooth-corners', '--help'],
  ['lab', 'flash-sale', '--help'],
]) {
  test(`start-up: \`peaklab ${args.join(' ')}\` loads no database, queue, server or logging library`, async () => {
    const loaded = await packagesLoaded(args);
    assert.ok(loaded.has('commander'), 'the hook saw the CLI load');
    const heavy = [...loaded].filter((name) => HEAVY.some((h) => name === h || name.startsWith(h)));
    assert.deepEqual(heavy, [], `loaded: ${[...loaded].join(', ')}`);
  });
}
