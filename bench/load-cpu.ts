import { pathToFileURL } from 'node:url';
import {
  autocannon,
  type Child,
  lastCpuSeconds,
  loadAverage,
  peaklab,
  startBareServer,
  type ToolRun,
} from './load-tools.js';

/**
 * The load generator's own cost: CPU seconds per request of `peaklab load URL --vus 50` against
 * `autocannon -c 50`, run alternately against one bare node:http server (its own process), with
 * the requests counted by that server, not taken from the tools' reports. Each tool's CPU (user +
 * system, start-up included) comes from /usr/bin/time. Target: peaklab ≤ 0.8× autocannon's CPU per
 * request. Prints the load average before and after: a ratio measured on a busy machine is not a
 * result (the tools then fight the server and each other for the 2 cores).
 *
 *   npm run bench -- load                  (this, then the rest of bench/load.ts)
 *   node dist/bench/load-cpu.js [--rounds=3] [--seconds=5] [--connections=50]
 */
export const CPU_TARGET = 0.8;

interface Measured {
  tool: string;
  cpuS: number;
  /** Requests the server answered during the tool's run. */
  served: number;
}

function flag(flags: readonly string[], name: string, def: number): number {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  const v = hit ? Number(hit.split('=')[1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

async function measure(server: Child, tool: () => Promise<ToolRun>): Promise<Measured> {
  const before = await server.count();
  const r = await tool();
  const served = (await server.count()) - before;
  return { tool: r.tool, cpuS: lastCpuSeconds(), served };
}

const us = (m: { cpuS: number; served: number }) => (m.cpuS * 1e6) / Math.max(1, m.served);

/** Runs the rounds and prints one line per run, a summary table and the verdict; returns the ratio. */
export async function cpuPerRequest(flags: readonly string[] = []): Promise<number> {
  const rounds = flag(flags, 'rounds', 3);
  const seconds = flag(flags, 'seconds', 5);
  const connections = flag(flags, 'connections', 50);
  process.stdout.write(`Before: ${loadAverage()}\n`);
  const server = await startBareServer();
  const url = `http://127.0.0.1:${server.port}/`;
  const runs: Measured[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const tool of [
        () => peaklab(url, connections, seconds),
        () => autocannon(url, connections, seconds),
      ]) {
        const m = await measure(server, tool);
        runs.push(m);
        process.stdout.write(
          `  round ${round}: ${m.tool.padEnd(10)} ${m.served} requests served, ${m.cpuS.toFixed(2)} s CPU, ${us(m).toFixed(1)} µs CPU/request\n`,
        );
      }
    }
  } finally {
    server.stop();
  }
  const total = (tool: string) =>
    runs
      .filter((r) => r.tool === tool)
      .reduce((a, r) => ({ cpuS: a.cpuS + r.cpuS, served: a.served + r.served }), { cpuS: 0, served: 0 });
  const ours = total('peaklab');
  const theirs = total('autocannon');
  const ratio = us(ours) / us(theirs);
  process.stdout.write(
    `\n| ${connections} connections, ${rounds} × ${seconds} s each, alternating | requests served | CPU s | CPU µs/request |\n|---|---:|---:|---:|\n` +
      `| peaklab load --vus ${connections} | ${ours.served} | ${ours.cpuS.toFixed(2)} | ${us(ours).toFixed(1)} |\n` +
      `| autocannon -c ${connections} | ${theirs.served} | ${theirs.cpuS.toFixed(2)} | ${us(theirs).toFixed(1)} |\n\n`,
  );
  const met = ratio <= CPU_TARGET;
  process.stdout.write(
    `peaklab CPU per request ÷ autocannon's: ${ratio.toFixed(2)}× (target ≤ ${CPU_TARGET}×): ${met ? 'met' : 'not met'}\n`,
  );
  process.stdout.write(`After: ${loadAverage()}\n`);
  return ratio;
}

export async function main(flags: string[]): Promise<void> {
  await cpuPerRequest(flags);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
