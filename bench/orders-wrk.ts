import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  readonly rps: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Requests wrk completed in its run. */
  readonly requests: number;
  /** wrk's own CPU seconds (user + system), from /usr/bin/time. */
  readonly cpuS: number;
}

const ORDER = '{"product_id":"33","count":"3","username":"maksim.konovalov"}';

/** wrk needs a Lua script to POST; written once per run to a temp file. */
export async function writePostScript(): Promise<string> {
  const path = join(tmpdir(), `peaklab-orders-${process.pid}.lua`);
  const lua = [
    'wrk.method = "POST"',
    `wrk.body = '${ORDER}'`,
    'wrk.headers["Content-Type"] = "application/json"',
    '',
  ].join('\n');
  await writeFile(path, lua);
  return path;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

/**
 * Runs wrk (under /usr/bin/time, for its own CPU) against url/orders and parses requests/s, the
 * request count, the p99 latency and the non-2xx count.
 */
export async function runWrk(url: string, script: string, opts: { seconds: number; connections: number }) {
  const timeFile = `${script}.time`;
  const { stdout } = await run('/usr/bin/time', [
    '-o',
    timeFile,
    '-f',
    '%U %S',
    'wrk',
    '-t1',
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    '--latency',
    '-s',
    script,
    `${url}/orders`,
  ]);
  const [user, sys] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).map(Number);
  await rm(timeFile, { force: true });
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s|m)\b/.exec(stdout);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  if (!Number.isFinite(rps) || !p99) throw new Error(`cannot parse wrk output:\n${stdout}`);
  return {
    rps,
    p99Ms: toMs(p99[1] as string, p99[2] as string),
    errors: non2xx + socketErrors,
    requests,
    cpuS: (user ?? 0) + (sys ?? 0),
  } satisfies WrkResult;
}
