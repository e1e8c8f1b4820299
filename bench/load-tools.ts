import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEAKLAB_BIN } from '../src/shared/child-service.js';

/** The bench's helpers: a bare node:http server in its own process, and the load tools as children. */

const SERVER = `
const http = require('node:http');
const s = http.createServer((req, res) => res.end('ok'));
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;

export interface Child {
  port: number;
  stop(): void;
}

export function startBareServer(): Promise<Child> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) =>
      resolve({ port: Number(d.toString().trim()), stop: () => child.kill() }),
    );
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
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

async function runPeaklab(
  tool: string,
  url: string,
  connections: number,
  seconds: number,
  env: Record<string, string>,
) {
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
  ];
  await run(process.execPath, args, env);
  const r = JSON.parse(readFileSync(out, 'utf8')) as { summary: { completed: number; durationMs: number } };
  return { tool, rps: r.summary.completed / (r.summary.durationMs / 1000), requests: r.summary.completed };
}

export function peaklab(url: string, connections: number, seconds: number): Promise<ToolRun> {
  return runPeaklab('peaklab', url, connections, seconds, {});
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
