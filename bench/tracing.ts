/**
 * `npm run bench -- tracing`: the cost of tracing. wrk POSTs orders to
 *   - off: `serve orders --mode direct --work-ms 0` (OTEL_TRACES_EXPORTER unset: tracing off),
 *   - on:  the same with OTEL_TRACES_EXPORTER=otlp, OTEL_TRACES_SAMPLER=always_on (100% sampled),
 *          exporting OTLP/HTTP protobuf to a local collector process (src/testing/trace-collector-main),
 *   - 10 %: the same, OTEL_TRACES_SAMPLER=parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1
 *          (the usual lever when the full cost is too high; no target, shown beside it),
 *   - 0 %:  OTEL_TRACES_SAMPLER=always_off: the SDK, its AsyncLocalStorage context and @fastify/otel's
 *          hooks with no span recorded, the cost every request pays once tracing is on (no target),
 * alternating round by round at a fixed concurrency. Reports the median req/s of each and the
 * median of the per-round ratios on/off, and where the CPU goes: CPU µs per request of the service,
 * the collector, Postgres (this run's backends and its background processes) and wrk, from /proc
 * over each window. Target: ≥ 0.85×. Flags: --rounds=N (5), --seconds=S (5),
 * --connections=C (32), --node=PATH (the Node.js binary the services run on; default this one's:
 * the context manager's cost depends on it, see docs/tracing.md).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ChildService, spawnPeaklab } from '../src/shared/child-service.js';
import { testBackends } from '../src/testing/backends.js';
import { runWrk, type WrkResult, writePostScript } from './orders-wrk.js';
import { CpuMeter, postgresPids } from './proc-cpu.js';
import { flag, loadText, median, roundsBlock, textFlag } from './stats.js';

const TARGET = 0.85;

const load = () => loadText(' ');

/** The collector as its own process; resolves with its URL and a stop function. */
async function startCollector(): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('../src/testing/trace-collector-main.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).once('line', (line) =>
      resolve((JSON.parse(line) as { url: string }).url),
    );
    child.once('exit', () => reject(new Error('trace collector exited')));
  });
  return { url, child };
}

async function collectorStats(url: string): Promise<{ received: number; rejected: number }> {
  return (await (await fetch(`${url}/stats`)).json()) as { received: number; rejected: number };
}

/** One measured window: wrk's result and the CPU µs per request each process used in it. */
interface Round extends WrkResult {
  readonly cpuUs: { service: number; collector: number; postgres: number; wrk: number };
}

/** A table row of medians over rounds. */
function row(name: string, runs: readonly Round[]): string {
  const m = (f: (r: Round) => number) => median(runs.map(f));
  const us = (f: (r: Round) => number) => m(f).toFixed(1);
  return `| ${name} | ${m((r) => r.rps).toFixed(0)} | ${m((r) => r.p99Ms).toFixed(2)} ms | ${us((r) => r.cpuUs.service)} | ${us((r) => r.cpuUs.collector)} | ${us((r) => r.cpuUs.postgres)} | ${us((r) => r.cpuUs.wrk)} |`;
}

/**
 * The suite. `runtime` is set by bench/tracing-node24.ts: the suite name for the printed command
 * and the Node.js binary it fetched; otherwise `--node=PATH`, or this process's own binary.
 */
export async function main(flags: string[], runtime?: { suite: string; execPath: string }): Promise<void> {
  const rounds = flag(flags, 'rounds', 5);
  const seconds = flag(flags, 'seconds', 5);
  const connections = flag(flags, 'connections', 32);
  const nodeFlag = runtime === undefined ? textFlag(flags, 'node') : undefined;
  const execPath = runtime?.execPath ?? (nodeFlag === undefined ? process.execPath : resolve(nodeFlag));
  const suite = runtime?.suite ?? 'tracing';
  const nodeVersion = (await promisify(execFile)(execPath, ['-v'])).stdout.trim();
  const before = load();
  const backends = testBackends('bench_tracing');
  const appName = `peaklab_${backends.schema}`;
  const db = new URL(backends.env.DATABASE_URL as string);
  db.searchParams.set('application_name', appName);
  const collector = await startCollector();
  // The bench is a program's entry point: its children inherit its environment, minus any OTEL_*.
  const base: Record<string, string | undefined> = {
    ...process.env,
    ...backends.env,
    DATABASE_URL: db.href,
    LOG_LEVEL: 'warn',
  };
  for (const k of Object.keys(base)) if (k.startsWith('OTEL_')) delete base[k];
  const traced = {
    ...base,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_TRACES_SAMPLER: 'always_on',
    OTEL_SERVICE_NAME: 'orders-bench',
  };
  const tenth = {
    ...traced,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.1',
  };
  const args = ['serve', 'orders', '--mode', 'direct', '--port', '0', '--work-ms', '0', '--process-rps', '0'];
  const script = await writePostScript();
  // The floor: the SDK and @fastify/otel on, nothing sampled (what every request pays, sampled or not).
  const none = { ...traced, OTEL_TRACES_SAMPLER: 'always_off' };
  const services: Array<{ name: 'off' | 'on' | '10%' | '0%'; svc: ChildService }> = [];
  try {
    services.push({ name: 'off', svc: await spawnPeaklab(args, { env: base, execPath }) });
    services.push({ name: 'on', svc: await spawnPeaklab(args, { env: traced, execPath }) });
    services.push({ name: '10%', svc: await spawnPeaklab(args, { env: tenth, execPath }) });
    services.push({ name: '0%', svc: await spawnPeaklab(args, { env: none, execPath }) });
    for (const s of services) await runWrk(s.svc.url as string, script, { seconds: 2, connections }); // warm up
    const spansBefore = (await collectorStats(collector.url)).received;
    const pgMeter = new CpuMeter(postgresPids(appName));
    const collectorMeter = new CpuMeter(async () => [collector.child.pid as number]);
    const results = new Map<string, Round[]>([
      ['off', []],
      ['on', []],
      ['10%', []],
      ['0%', []],
    ]);
    const log: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const s of services) {
        const svcMeter = new CpuMeter(async () => [s.svc.child.pid as number]);
        await Promise.all([svcMeter.start(), pgMeter.start(), collectorMeter.start()]);
        const w = await runWrk(s.svc.url as string, script, { seconds, connections });
        const [service, postgres, coll] = await Promise.all([
          svcMeter.stop(),
          pgMeter.stop(),
          collectorMeter.stop(),
        ]);
        const perRequest = (cpuS: number) => (cpuS * 1e6) / Math.max(1, w.requests);
        const r: Round = {
          ...w,
          cpuUs: {
            service: perRequest(service),
            postgres: perRequest(postgres),
            collector: perRequest(coll),
            wrk: perRequest(w.cpuS),
          },
        };
        results.get(s.name)?.push(r);
        const c = r.cpuUs;
        log.push(
          `round ${round} ${s.name.padEnd(3)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}  CPU µs/request: service ${c.service.toFixed(1)}, collector ${c.collector.toFixed(1)}, postgres ${c.postgres.toFixed(1)}, wrk ${c.wrk.toFixed(1)}`,
        );
      }
    }
    // Let the batch processor's last export land before counting.
    await new Promise((r) => setTimeout(r, 6000));
    const stats = await collectorStats(collector.url);
    const off = results.get('off') ?? [];
    const on = results.get('on') ?? [];
    const tenthRuns = results.get('10%') ?? [];
    const noneRuns = results.get('0%') ?? [];
    // The median of per-round ratios: each round's variant against the off run just before it.
    const toOff = (runs: readonly Round[]) => median(runs.map((r, i) => r.rps / (off[i]?.rps ?? Number.NaN)));
    const ratio = toOff(on);
    const tenthRatio = toOff(tenthRuns);
    const noneRatio = toOff(noneRuns);
    // Spans from the 10 % service count too: about a tenth of its requests.
    const onRequests = [...on, ...tenthRuns.map((r) => ({ ...r, rps: r.rps / 10 }))].reduce(
      (a, r) => a + r.rps * seconds,
      0,
    );
    const errors = [...off, ...on, ...tenthRuns, ...noneRuns].reduce((a, r) => a + r.errors, 0);
    const out = [
      `command: \`npm run bench -- ${suite} --rounds=${rounds} --seconds=${seconds} --connections=${connections}${nodeFlag === undefined ? '' : ` --node=${nodeFlag}`}\``,
      `date: ${new Date().toISOString()}`,
      `load average before: ${before}; after: ${load()}`,
      '',
      `wrk -t1 -c${connections} -d${seconds}s POST /orders on \`serve orders --mode direct --work-ms 0\` (Postgres) on Node ${nodeVersion}, ${rounds} alternating rounds, medians:`,
      '',
      '| tracing | req/s | p99 | CPU µs/request: service | collector | postgres | wrk |',
      '|---|---:|---:|---:|---:|---:|---:|',
      row('off', off),
      row('on (otlp, always_on, local collector)', on),
      row('on, 10 % sampled (parentbased_traceidratio 0.1)', tenthRuns),
      row('on, nothing sampled (always_off): the SDK and @fastify/otel alone', noneRuns),
      '',
      `ratio on/off (median of per-round ratios): ${ratio.toFixed(2)}×; 10 % sampled/off: ${tenthRatio.toFixed(2)}×; nothing sampled/off: ${noneRatio.toFixed(2)}× (no target for either)`,
      `spans received by the collector during the rounds: ${stats.received - spansBefore} (≈${((stats.received - spansBefore) / Math.max(1, onRequests)).toFixed(1)} per traced request; undecodable posts: ${stats.rejected}); wrk errors: ${errors}`,
      '',
      `target on/off ≥ ${TARGET}×: ${ratio >= TARGET && errors === 0 && stats.received > spansBefore ? 'met' : 'not met'}`,
      '',
      ...roundsBlock(log),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await Promise.allSettled(services.map((s) => s.svc.stop('SIGTERM')));
    await new Promise((r) => collector.child.once('exit', r).kill('SIGTERM'));
    await rm(script, { force: true });
    await backends.cleanup();
  }
}
