import { runLoad } from '../src/load/mod.js';
import { cpuPerRequest } from './load-cpu.js';
import {
  autocannon,
  type Child,
  hey,
  lastCpuSeconds,
  loadAverage,
  peaklab,
  startBareServer,
  type ToolRun,
  wrk,
} from './load-tools.js';
import { median } from './stats.js';

/**
 * `npm run bench -- load`:
 *   1. the generator's own cost: CPU per request of `peaklab load --vus 50` against
 *      `autocannon -c 50`, alternating, counted at the server (bench/load-cpu.ts; target ≤ 0.8×);
 *   2. closed-model throughput of peaklab, autocannon, wrk and hey against one bare node:http
 *      server in its own process, same connection count, rounds interleaved so drift hits every
 *      tool alike, requests counted at the server;
 *   3. open model at 5,000 RPS: achieved vs target (target within 1%), p99 scheduling lag (target
 *      under 2 ms).
 * Flags: --rounds=N (3), --seconds=S (5). Each part prints the load average before it starts.
 */
const CONNECTIONS = 50;
const OPEN_RATE = 5000;
const OPEN_SECONDS = 10;

function flag(flags: readonly string[], name: string, def: number): number {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : def;
}

const verdict = (met: boolean) => (met ? 'met' : 'not met');

async function closedModel(server: Child, rounds: number, seconds: number): Promise<void> {
  process.stdout.write(`\nThroughput (${loadAverage()}):\n`);
  const url = `http://127.0.0.1:${server.port}/`;
  const tools = [peaklab, autocannon, wrk, hey];
  const runs: ToolRun[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const tool of tools) {
      const before = await server.count();
      const r = await tool(url, CONNECTIONS, seconds);
      // Requests as the server counted them, over the tool's own run time.
      const served = (await server.count()) - before;
      r.rps = (r.rps * served) / Math.max(1, r.requests);
      r.requests = served;
      r.cpuUsPerRequest = (lastCpuSeconds() * 1e6) / Math.max(1, served);
      process.stdout.write(
        `  round ${round + 1}: ${r.tool.padEnd(10)} ${r.rps.toFixed(0)} req/s, ${r.cpuUsPerRequest.toFixed(1)} µs CPU/request\n`,
      );
      runs.push(r);
    }
  }
  const med = (name: string, f: (r: ToolRun) => number) => median(runs.filter((r) => r.tool === name).map(f));
  const rps = (r: ToolRun) => r.rps;
  const cpu = (r: ToolRun) => r.cpuUsPerRequest ?? 0;
  const ours = med('peaklab', rps);
  const oursCpu = med('peaklab', cpu);
  process.stdout.write(
    `\n| tool (${CONNECTIONS} connections, median of ${rounds} × ${seconds} s, counted at the server) | req/s | peaklab ÷ tool | tool CPU µs/request (incl. start-up) | peaklab CPU ÷ tool CPU |\n|---|---:|---:|---:|---:|\n`,
  );
  for (const name of ['peaklab', 'autocannon', 'wrk', 'hey']) {
    const v = med(name, rps);
    const c = med(name, cpu);
    process.stdout.write(
      `| ${name} | ${v.toFixed(0)} | ${(ours / v).toFixed(2)}× | ${c.toFixed(1)} | ${(oursCpu / c).toFixed(2)}× |\n`,
    );
  }
}

async function openModel(url: string): Promise<void> {
  process.stdout.write(`\nOpen model (${loadAverage()}):\n`);
  // A short warm-up run first, so the measured run is not the JIT's first second.
  const warm = await runLoad({ target: url, rate: `constant:${OPEN_RATE}`, durationMs: 3000 });
  const r = await runLoad({ target: url, rate: `constant:${OPEN_RATE}`, durationMs: OPEN_SECONDS * 1000 });
  const row = (name: string, x: typeof r) => {
    const lag = x.schedulingLag?.percentiles ?? {};
    const dev = ((x.summary.achievedRate - OPEN_RATE) / OPEN_RATE) * 100;
    return `| ${name} | ${x.summary.started} | ${x.summary.achievedRate.toFixed(1)} | ${dev.toFixed(2)}% | ${(lag.p50 ?? 0).toFixed(3)} | ${(lag.p99 ?? 0).toFixed(3)} | ${x.summary.late} | ${(x.latency.percentiles.p99 ?? 0).toFixed(2)} |\n`;
  };
  process.stdout.write(
    `\n| open model constant:${OPEN_RATE} | started | achieved /s | vs target | lag p50 ms | lag p99 ms | late | latency p99 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n`,
  );
  process.stdout.write(row('warm-up (3 s, cold JIT)', warm));
  process.stdout.write(row(`measured (${OPEN_SECONDS} s)`, r));
  const dev = Math.abs(r.summary.achievedRate - OPEN_RATE) / OPEN_RATE;
  const lagP99 = r.schedulingLag?.percentiles.p99 ?? Number.POSITIVE_INFINITY;
  process.stdout.write(
    `\nachieved rate within 1% of the target: ${(dev * 100).toFixed(2)}%: ${verdict(dev <= 0.01)}\n` +
      `scheduling lag p99 under 2 ms: ${lagP99.toFixed(3)} ms: ${verdict(lagP99 < 2)}\n`,
  );
}

export async function main(flags: string[]): Promise<void> {
  const rounds = flag(flags, 'rounds', 3);
  const seconds = flag(flags, 'seconds', 5);
  await cpuPerRequest([`--rounds=${rounds}`, `--seconds=${seconds}`, `--connections=${CONNECTIONS}`]);
  const server = await startBareServer();
  try {
    await closedModel(server, rounds, seconds);
    await openModel(`http://127.0.0.1:${server.port}/`);
  } finally {
    server.stop();
  }
}
