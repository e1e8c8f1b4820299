import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The load benches' helpers: a bare node:http server in its own process that counts the requests
 * it answers, and the load tools run as children under /usr/bin/time for their CPU use.
 */

/** The CLI launcher, from this compiled file (dist/bench) back to the repo's bin/. */
export const PEAKLAB_BIN = fileURLToPath(new URL('../../bin/peaklab.js', import.meta.url));

/**
 * The bare server: answers every request with "ok" and counts it. The parent asks for the count
 * over the IPC channel, so counting costs the server nothing per request beyond an increment.
 */
const SERVER = `
const http = require('node:http');
let count = 0;
const s = http.createServer((req, res) => { count++; res.end('ok'); });
s.keepAliveTimeout = 60000;
process.on('message', () => process.send(count));
s.listen(0, '127.0.0.1', () => process.send({ port: s.address().port }));
`;

export interface Child {
  port: number;
  /** Requests the server has answered so far. */
  count(): Promise<number>;
  stop(): void;
}

/** Starts the bare counting server; resolves once it listens. */
export function startBareServer(): Promise<Child> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) =>
      resolve({
        port: m.port,
        count: () =>
          new Promise((done) => {
            child.once('message', (n: number) => done(n));
            child.send('count');
          }),
        stop: () => child.kill(),
      }),
    );
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

/** "load average 1.02 0.87 0.65 (1, 5, 15 min)": printed before every bench, as BENCHMARKS.md asks. */
export function loadAverage(): string {
  const [a, b, c] = loadavg().map((x) => x.toFixed(2));
  return `load average ${a} ${b} ${c} (1, 5, 15 min)`;
}

const TIME_FILE = join(tmpdir(), `peaklab-bench-time-${process.pid}.txt`);

/** CPU seconds (user + system) of the last command run through `run`, from /usr/bin/time. */
export function lastCpuSeconds(): number {
  const [user, sys] = readFileSync(TIME_FILE, 'utf8').trim().split(/\s+/).map(Number);
  return (user ?? 0) + (sys ?? 0);
}

/** Runs a tool under /usr/bin/time, so its CPU use can be compared, not only its throughput. */
export function run(cmd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', TIME_FILE, '-f', '%U %S', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err}`)),
    );
  });
}

export interface ToolRun {
  tool: string;
  rps: number;
  /** Requests answered in the run, to turn the tool's CPU time into µs per request. */
  requests: number;
  cpuUsPerRequest?: number;
}

/** `peaklab load URL --vus C --duration Ss`, closed model, one thread; extra args appended. */
export async function peaklab(
  url: string,
  connections: number,
  seconds: number,
  extra: readonly string[] = [],
): Promise<ToolRun> {
  const out = join(tmpdir(), `peaklab-bench-${process.pid}.json`);
  const args = [
    PEAKLAB_BIN,
    'load',
    url,
    '--vus',
    String(connections),
    '--duration',
    `${seconds}s`,
    '--quiet',
    '--out',
    out,
    ...extra,
  ];
  await run(process.execPath, args);
  const r = JSON.parse(readFileSync(out, 'utf8')) as { summary: { completed: number; durationMs: number } };
  return {
    tool: 'peaklab',
    rps: r.summary.completed / (r.summary.durationMs / 1000),
    requests: r.summary.completed,
  };
}

export async function autocannon(url: string, connections: number, seconds: number): Promise<ToolRun> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const out = await run(process.execPath, [
    bin,
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '--json',
    url,
  ]);
  const r = JSON.parse(out) as { requests: { total: number }; duration: number };
  return { tool: 'autocannon', rps: r.requests.total / r.duration, requests: r.requests.total };
}

export async function wrk(url: string, connections: number, seconds: number): Promise<ToolRun> {
  const out = await run('/usr/bin/wrk', ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, url]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const n = /(\d+) requests in/.exec(out);
  if (!m || !n) throw new Error(`cannot read wrk output: ${out}`);
  return { tool: 'wrk', rps: Number(m[1]), requests: Number(n[1]) };
}

export async function hey(url: string, connections: number, seconds: number): Promise<ToolRun> {
  const out = await run('/usr/bin/hey', ['-z', `${seconds}s`, '-c', String(connections), url]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const n = /\[200\]\s+(\d+) responses/.exec(out);
  if (!m || !n) throw new Error(`cannot read hey output: ${out}`);
  return { tool: 'hey', rps: Number(m[1]), requests: Number(n[1]) };
}
