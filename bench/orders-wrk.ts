import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  readonly rps: number;
  readonly p99Ms: number;
  readonly errors: number;
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

/** Runs wrk against url/orders and parses requests/s, the p99 latency and the non-2xx count. */
export async function runWrk(url: string, script: string, opts: { seconds: number; connections: number }) {
  const { stdout } = await run('wrk', [
    '-t1',
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    '--latency',
    '-s',
    script,
    `${url}/orders`,
  ]);
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
  } satisfies WrkResult;
}
