import { runLoad } from '../src/load/mod.js';
import {
  autocannon,
  hey,
  lastCpuSeconds,
  peaklab,
  startBareServer,
  type ToolRun,
  wrk,
} from './load-tools.js';

/**
 * `npm run bench -- load`: (1) closed-model maximum throughput of peaklab, autocannon, wrk and hey
 * against one bare node:http server in its own process, same connection count, rounds interleaved
 * so drift hits every tool alike; (2) open model at 5,000 RPS: achieved vs target, p99 scheduling lag.
 */
const CONNECTIONS = 50;
const SECONDS = 5;
const ROUNDS = 5;
const OPEN_RATE = 5000;
const OPEN_SECONDS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function closedModel(url: string): Promise<void> {
  const tools = [peaklab, autocannon, wrk, hey];
  const runs: ToolRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const tool of tools) {
      const r = await tool(url, CONNECTIONS, SECONDS);
      r.cpuUsPerRequest = (lastCpuSeconds() * 1e6) / r.requests;
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
    `\n| tool (${CONNECTIONS} connections, median of ${ROUNDS} × ${SECONDS} s) | req/s | peaklab ÷ tool | tool CPU µs/request (incl. start-up) | peaklab CPU ÷ tool CPU |\n|---|---:|---:|---:|---:|\n`,
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
}

export async function main(_flags: string[]): Promise<void> {
  const server = await startBareServer();
  const url = `http://127.0.0.1:${server.port}/`;
  try {
    await closedModel(url);
    await openModel(url);
  } finally {
    server.stop();
  }
}
