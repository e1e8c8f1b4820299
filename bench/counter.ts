/**
 * `npm run bench -- counter`: `peaklab serve counter --mode atomic --store memory` against a
 * minimal @grpc/grpc-js server answering the same message (bench/counter-bare.ts), both under
 * `peaklab load grpc://` in the closed model with 100 virtual users, in alternating rounds (the
 * order rotates each round, so drift in the machine's load hits every target alike). The other
 * modes (memory store, --io-us 200) run in the same rotation: their cost is reported relative to
 * atomic. Prints the command, the UTC date, the load average before and after, the table, the
 * seed's published table beside it, and whether the target is met: atomic >= 0.8x the minimal
 * server (medians over the rounds).
 * Flags: --seconds=S per target per round (5), --rounds=N (3).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../src/load/mod.js';
import { shippedProto } from '../src/platform/grpc/proto.js';
import { spawnPeaklab } from '../src/shared/child-service.js';
import { flag } from './stats.js';

const VUS = 100;
const TARGET_RATIO = 0.8;
const MODES = ['atomic', 'mutex', 'inputq', 'unsafe'] as const;
type Name = 'bare' | (typeof MODES)[number];
/** The seed's table (Go, k6, a new connection per iteration): it/s by VUs. */
const SEED = [
  { vus: 10, inputq: 4532, mutex: 4800 },
  { vus: 100, inputq: 10665, mutex: 9656 },
  { vus: 1000, inputq: 8925, mutex: 9431 },
];

interface Target {
  name: Name;
  url: string;
  stop(): Promise<unknown>;
}

interface Round {
  rate: number;
  p50: number;
  p99: number;
  failed: number;
}

async function startBare(): Promise<Target> {
  const script = fileURLToPath(new URL('./counter-bare.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) =>
      resolve((JSON.parse(l) as { url: string }).url),
    );
    child.once('exit', (code) => reject(new Error(`the minimal gRPC server exited with ${code}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    name: 'bare',
    url,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function startMode(mode: (typeof MODES)[number]): Promise<Target> {
  const args = [
    'serve',
    'counter',
    '--mode',
    mode,
    '--store',
    'memory',
    '--port',
    '0',
    '--metrics-port',
    '0',
  ];
  if (mode === 'unsafe') args.push('--allow-unsafe');
  const svc = await spawnPeaklab([...args, '--log-level', 'warn'], {
    env: { ...process.env },
    timeoutMs: 60_000,
  });
  return { name: mode, url: svc.url as string, stop: () => svc.stop('SIGTERM') };
}

async function measure(url: string, ms: number): Promise<Round> {
  const r = await runLoad({
    target: url,
    vus: VUS,
    durationMs: ms,
    connections: 4,
    timeoutMs: 10_000,
    grpc: {
      proto: shippedProto('counter.proto'),
      call: 'counter.incrementCounter/increment',
      data: '{"value":1}',
    },
  });
  const seconds = (r.summary.durationMs + (r.summary.drainMs ?? 0)) / 1000;
  return {
    rate: r.summary.ok / seconds,
    p50: r.latency.percentiles.p50 ?? Number.NaN,
    p99: r.latency.percentiles.p99 ?? Number.NaN,
    failed: r.summary.failed,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function main(flags: string[]): Promise<void> {
  const seconds = flag(flags, 'seconds', 5);
  const rounds = Math.round(flag(flags, 'rounds', 3));
  const before = loadavg();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`command: npm run bench -- counter ${flags.join(' ')}`.trimEnd());
  out(`date: ${new Date().toISOString()}`);
  out(`load average before: ${before.map((l) => l.toFixed(2)).join(' ')}`);
  if ((before[0] ?? 0) > 1.5) out('  (a busy machine: ratios measured now are not results)');
  const targets: Target[] = [];
  try {
    targets.push(await startBare());
    for (const m of MODES) targets.push(await startMode(m));
    for (const t of targets) await measure(t.url, 1000); // warm-up: connections, JIT
    const results = new Map<Name, Round[]>(targets.map((t) => [t.name, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round: bare first, then atomic first, ...
      const order = targets.map((_, i) => targets[(i + r) % targets.length]!);
      for (const t of order) {
        const m = await measure(t.url, seconds * 1000);
        results.get(t.name)!.push(m);
        out(
          `  round ${r + 1} ${t.name.padEnd(6)} ${fmt(m.rate).padStart(7)} it/s  p99 ${m.p99.toFixed(2)} ms${m.failed ? `  failed ${m.failed}` : ''}`,
        );
      }
    }
    const med = (name: Name, k: keyof Round) => median(results.get(name)!.map((x) => x[k]));
    const atomic = med('atomic', 'rate');
    const bare = med('bare', 'rate');
    const ratio = atomic / bare;
    const after = loadavg();
    out('');
    out(
      `closed model, ${VUS} VUs, 4 HTTP/2 connections, ${seconds} s per target per round, ${rounds} rounds (medians); memory store, --io-us 200:`,
    );
    out('');
    out('| target | it/s | p50 | p99 | failed | vs atomic |');
    out('|---|---:|---:|---:|---:|---:|');
    for (const t of targets) {
      const label =
        t.name === 'bare' ? 'minimal @grpc/grpc-js server (reference)' : `counter --mode ${t.name}`;
      const failed = results.get(t.name)!.reduce((n, x) => n + x.failed, 0);
      out(
        `| ${label} | ${fmt(med(t.name, 'rate'))} | ${med(t.name, 'p50').toFixed(2)} ms | ${med(t.name, 'p99').toFixed(2)} ms | ${failed} | ${(med(t.name, 'rate') / atomic).toFixed(2)}x |`,
      );
    }
    out('');
    out("the seed's published table (Go server, k6 with a new connection per iteration; another machine):");
    out('');
    out('| VUs | inputQ | mutex |');
    out('|---:|---:|---:|');
    for (const s of SEED) out(`| ${s.vus} | ${fmt(s.inputq)} it/s | ${fmt(s.mutex)} it/s |`);
    out('');
    out(`load average after: ${after.map((l) => l.toFixed(2)).join(' ')}`);
    out(
      `ratio atomic / minimal gRPC server: ${ratio.toFixed(2)}x; target atomic >= ${TARGET_RATIO}x: ${ratio >= TARGET_RATIO ? 'met' : 'not met'}`,
    );
  } finally {
    for (const t of targets) await t.stop();
  }
}
