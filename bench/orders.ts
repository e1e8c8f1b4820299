/**
 * `npm run bench -- orders`: wrk POSTing orders against
 *   - bare:   a node:http server that parses the JSON and answers the same body (the reference),
 *   - direct: `serve orders --mode direct --work-ms 0`, limits off: each order validated and
 *             committed to Postgres before its 200,
 *   - queue:  `serve orders --mode queue --workers 0`: each order acknowledged by JetStream first,
 * alternating round by round in one run. Reports the median requests/s of each as a ratio to bare,
 * and its p99 latency. Flags: --rounds=N (5), --seconds=S (5), --connections=C (64).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type ChildService, spawnPeaklab } from '../src/shared/child-service.js';
import { testBackends } from '../src/testing/backends.js';
import { runWrk, type WrkResult, writePostScript } from './orders-wrk.js';

interface Target {
  readonly name: 'bare' | 'direct' | 'queue';
  readonly url: string;
  stop(): Promise<unknown>;
}

function flag(flags: string[], name: string, def: number): number {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : def;
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
    stop: () => new Promise((r) => child.once('exit', r).kill('SIGTERM')),
  };
}

function asTarget(name: Target['name'], svc: ChildService): Target {
  return { name, url: svc.url as string, stop: () => svc.stop('SIGTERM') };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function main(flags: string[]): Promise<void> {
  const rounds = flag(flags, 'rounds', 5);
  const seconds = flag(flags, 'seconds', 5);
  const connections = flag(flags, 'connections', 64);
  const backends = testBackends('bench');
  // The bench is a program's entry point: its children inherit its environment.
  const env = { ...process.env, ...backends.env, LOG_LEVEL: 'warn' };
  const common = ['--port', '0', '--work-ms', '0', '--process-rps', '0', '--rps-limit', '0'];
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
    const results = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        const r = await runWrk(t.url, script, { seconds, connections });
        results.get(t.name)?.push(r);
        process.stdout.write(
          `round ${round} ${t.name.padEnd(6)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}\n`,
        );
      }
    }
    // Each round's ratio uses that round's bare run: the machine's load drifts between rounds.
    const bareRuns = results.get('bare') ?? [];
    process.stdout.write(
      `\nwrk -t1 -c${connections} -d${seconds}s, ${rounds} alternating rounds, medians (ratio: median of per-round ratios):\n\n| target | req/s | ratio to bare node:http | p99 |\n|---|---|---|---|\n`,
    );
    for (const t of targets) {
      const rs = results.get(t.name) ?? [];
      const rps = median(rs.map((r) => r.rps));
      const ratio = median(rs.map((r, i) => r.rps / (bareRuns[i]?.rps ?? Number.NaN)));
      const p99 = median(rs.map((r) => r.p99Ms));
      const errors = rs.reduce((a, r) => a + r.errors, 0);
      process.stdout.write(
        `| ${t.name} | ${rps.toFixed(0)} | ${ratio.toFixed(2)}× | ${p99.toFixed(2)} ms |${errors ? ` ${errors} errors` : ''}\n`,
      );
    }
  } finally {
    await Promise.allSettled(targets.map((t) => t.stop()));
    await rm(script, { force: true });
    await backends.cleanup();
  }
}
