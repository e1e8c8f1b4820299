/**
 * `npm run bench -- orders`: wrk POSTing orders against
 *   - bare:   a node:http server that parses the JSON and answers the same body (the reference),
 *   - direct: `serve orders --mode direct --work-ms 0`, limits off: each order validated and
 *             committed to Postgres before its 200,
 *   - queue:  `serve orders --mode queue --workers 0`: each order acknowledged by JetStream first,
 * alternating round by round in one run. Reports the median requests/s of each as a ratio to bare,
 * its p99 latency, and where the CPU goes: CPU µs per request of the target process, of Postgres
 * (this run's backends plus its background processes), of nats-server and of wrk, from /proc over
 * each measured window. Targets: direct ≥ 0.5× and queue ≥ 0.5× of bare at 64 connections.
 * Flags: --rounds=N (5), --seconds=S (5), --connections=C (64).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type ChildService, spawnPeaklab } from '../src/shared/child-service.js';
import { testBackends } from '../src/testing/backends.js';
import { runWrk, type WrkResult, writePostScript } from './orders-wrk.js';
import { CpuMeter, pidListening, postgresPids } from './proc-cpu.js';
import { flag, loadText, median } from './stats.js';

const TARGET_RATIO = 0.5;

interface Target {
  readonly name: 'bare' | 'direct' | 'queue';
  readonly url: string;
  readonly pid: number;
  stop(): Promise<unknown>;
}

/** One measured window: wrk's result and the CPU seconds each process group used in it. */
interface Round extends WrkResult {
  readonly cpu: { service: number; postgres: number; nats: number; wrk: number };
}

async function startBare(): Promise<Target> {
  const script = fileURLToPath(new URL('./orders-bare.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', () => reject(new Error('bare server exited')));
  });
  return {
    name: 'bare',
    url,
    pid: child.pid as number,
    stop: () => new Promise((r) => child.once('exit', r).kill('SIGTERM')),
  };
}

function asTarget(name: Target['name'], svc: ChildService): Target {
  return { name, url: svc.url as string, pid: svc.child.pid as number, stop: () => svc.stop('SIGTERM') };
}

const load = () => loadText();

export async function main(flags: string[]): Promise<void> {
  const rounds = flag(flags, 'rounds', 5);
  const seconds = flag(flags, 'seconds', 5);
  const connections = flag(flags, 'connections', 64);
  process.stdout.write(`Load average (1, 5, 15 min) before: ${load()}\n\n`);
  const backends = testBackends('bench');
  const appName = `peaklab_${backends.schema}`;
  const db = new URL(backends.env.DATABASE_URL as string);
  db.searchParams.set('application_name', appName);
  // The bench is a program's entry point: its children inherit its environment.
  const env = { ...process.env, ...backends.env, DATABASE_URL: db.href, LOG_LEVEL: 'warn' };
  const common = ['--port', '0', '--work-ms', '0', '--process-rps', '0', '--rps-limit', '0'];
  const natsPid = await pidListening(Number(new URL(backends.env.NATS_URL as string).port || 4222));
  const pgPort = Number(db.port || 5432);
  if (natsPid === undefined) {
    process.stdout.write('(no nats-server pid found listening on the NATS port: its column reads 0)\n\n');
  }
  const pgMeter = new CpuMeter(postgresPids(appName));
  const natsMeter = new CpuMeter(async () => (natsPid ? [natsPid] : []));
  const script = await writePostScript();
  const targets: Target[] = [];
  try {
    targets.push(await startBare());
    targets.push(
      asTarget('direct', await spawnPeaklab(['serve', 'orders', '--mode', 'direct', ...common], { env })),
    );
    targets.push(
      asTarget(
        'queue',
        await spawnPeaklab(['serve', 'orders', '--mode', 'queue', '--workers', '0', ...common], { env }),
      ),
    );
    for (const t of targets) await runWrk(t.url, script, { seconds: 2, connections }); // warm up
    const results = new Map<string, Round[]>(targets.map((t) => [t.name, []]));
    process.stdout.write(
      `| round | target | req/s | p99 | errors | CPU µs/request: target | postgres :${pgPort} | nats-server | wrk |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|\n`,
    );
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        const svcMeter = new CpuMeter(async () => [t.pid]);
        await Promise.all([svcMeter.start(), pgMeter.start(), natsMeter.start()]);
        const w = await runWrk(t.url, script, { seconds, connections });
        const [service, postgres, nats] = await Promise.all([
          svcMeter.stop(),
          pgMeter.stop(),
          natsMeter.stop(),
        ]);
        const r: Round = { ...w, cpu: { service, postgres, nats, wrk: w.cpuS } };
        results.get(t.name)?.push(r);
        const us = (s: number) => ((s * 1e6) / Math.max(1, r.requests)).toFixed(1);
        process.stdout.write(
          `| ${round} | ${t.name} | ${r.rps.toFixed(0)} | ${r.p99Ms.toFixed(2)} ms | ${r.errors} | ${us(service)} | ${us(postgres)} | ${us(nats)} | ${us(r.cpu.wrk)} |\n`,
        );
      }
    }
    // Each round's ratio uses that round's bare run: the machine's load drifts between rounds.
    const bareRuns = results.get('bare') ?? [];
    process.stdout.write(
      `\nwrk -t1 -c${connections} -d${seconds}s, ${rounds} alternating rounds, medians (ratio: median of per-round ratios; CPU: per request wrk completed, over wrk's run):\n\n| target | req/s | ratio to bare node:http | p99 | CPU µs/request: target | postgres | nats-server | wrk | total |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n`,
    );
    const ratios = new Map<string, number>();
    for (const t of targets) {
      const rs = results.get(t.name) ?? [];
      const rps = median(rs.map((r) => r.rps));
      const ratio = median(rs.map((r, i) => r.rps / (bareRuns[i]?.rps ?? Number.NaN)));
      ratios.set(t.name, ratio);
      const p99 = median(rs.map((r) => r.p99Ms));
      const errors = rs.reduce((a, r) => a + r.errors, 0);
      const us = (f: (r: Round) => number) =>
        median(rs.map((r) => (f(r) * 1e6) / Math.max(1, r.requests))).toFixed(1);
      const c = (r: Round) => r.cpu;
      process.stdout.write(
        `| ${t.name}${errors ? ` (${errors} errors)` : ''} | ${rps.toFixed(0)} | ${ratio.toFixed(2)}× | ${p99.toFixed(2)} ms | ${us((r) => c(r).service)} | ${us((r) => c(r).postgres)} | ${us((r) => c(r).nats)} | ${us((r) => c(r).wrk)} | ${us((r) => c(r).service + c(r).postgres + c(r).nats + c(r).wrk)} |\n`,
      );
    }
    process.stdout.write('\n');
    for (const name of ['direct', 'queue']) {
      const ratio = ratios.get(name) ?? Number.NaN;
      process.stdout.write(
        `target ${name} ≥ ${TARGET_RATIO}× of bare node:http at ${connections} connections: ${ratio.toFixed(2)}×: ${ratio >= TARGET_RATIO ? 'met' : 'not met'}\n`,
      );
    }
  } finally {
    await Promise.allSettled(targets.map((t) => t.stop()));
    await rm(script, { force: true });
    await backends.cleanup();
    process.stdout.write(`\nLoad average (1, 5, 15 min) after: ${load()}\n`);
  }
}
