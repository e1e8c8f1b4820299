import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { withPg } from '../src/testing/backends.js';

/**
 * CPU time of other processes, for "where does the CPU go" per request (bench/orders.ts): utime +
 * stime of /proc/PID/stat (Linux), in clock ticks of `getconf CLK_TCK` (100 on Linux).
 */
const run = promisify(execFile);

let tick: number | undefined;
async function ticksPerSecond(): Promise<number> {
  if (tick === undefined) {
    const out = await run('getconf', ['CLK_TCK']).then(
      (r) => Number(r.stdout.trim()),
      () => 100,
    );
    tick = Number.isFinite(out) && out > 0 ? out : 100;
  }
  return tick;
}

/** CPU seconds (user + system, all threads) a process has used so far; undefined if it is gone. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / (await ticksPerSecond());
  } catch {
    return undefined;
  }
}

/** The pid of the process listening on 127.0.0.1:port (from `ss -ltnp`; needs the same user or root). */
export async function pidListening(port: number): Promise<number | undefined> {
  const { stdout } = await run('ss', ['-Hltnp', `sport = :${port}`]).catch(() => ({ stdout: '' }));
  const m = /pid=(\d+)/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

/**
 * A CPU meter over a set of processes that may change during the window (Postgres's pool opens
 * backends as it grows): `start()` snapshots, `stop()` sums the deltas of the pids seen at either
 * end; a pid first seen at the end counts from zero (it was born in the window).
 */
export class CpuMeter {
  private before = new Map<number, number>();
  constructor(private readonly pids: () => Promise<readonly number[]>) {}

  async start(): Promise<void> {
    this.before = new Map();
    for (const pid of await this.pids()) {
      const s = await cpuSeconds(pid);
      if (s !== undefined) this.before.set(pid, s);
    }
  }

  /** CPU seconds the processes used since start(). */
  async stop(): Promise<number> {
    const now = new Set([...(await this.pids()), ...this.before.keys()]);
    let sum = 0;
    for (const pid of now) {
      const s = await cpuSeconds(pid);
      if (s !== undefined) sum += s - (this.before.get(pid) ?? 0);
    }
    return sum;
  }
}

/**
 * Postgres's share: the client backends of this run's services (found by application_name) and
 * Postgres's own background processes (WAL writer, checkpointer, …), which do commit work too.
 */
export function postgresPids(appName: string): () => Promise<number[]> {
  return () =>
    withPg(async (c) => {
      const r = await c.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 OR backend_type <> 'client backend'",
        [appName],
      );
      return r.rows.map((row) => row.pid);
    });
}
