import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAverage, PEAKLAB_BIN, run, startBareServer } from './load-tools.js';

/**
 * Where the load generator's CPU goes, per request: runs `peaklab load URL --vus 50` under
 * `node --cpu-prof` against the bare counting server, then attributes every profile sample to a
 * part of the hot path and divides by the requests the server answered:
 *
 * - transport: the HTTP/1.1 client (or undici in older builds), node:net, streams, socket writes
 *   and reads, gRPC;
 * - scheduling: the engine (open-model timer, closed-model loop, queue, completion);
 * - recording: the recorder, HDR histograms, per-second timeline, JTL/errors sinks;
 * - templating: compiled templates and what they call (randomUUID, randomInt);
 * - gc: V8's garbage collector; runtime: "(program)", time in V8/libuv not tied to a JS function;
 * - start-up: module loading, option parsing, the CLI, the reports: once per run.
 *
 * A native function (no source URL) or a node internal such as events or timers counts for the
 * part of its nearest caller that has one.
 *
 *   node dist/bench/load-profile.js [--seconds=5] [--connections=50] [-- extra peaklab flags]
 */
type Part = 'transport' | 'scheduling' | 'recording' | 'templating' | 'gc' | 'runtime' | 'start-up';
const PARTS: readonly Part[] = [
  'transport',
  'scheduling',
  'recording',
  'templating',
  'gc',
  'runtime',
  'start-up',
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The part a frame belongs to by its source, or undefined to inherit its caller's. */
export function partOf(fn: string, url: string): Part | 'idle' | undefined {
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)' || fn === '(root)') return 'runtime';
  if (url === '') return undefined;
  if (/\/load\/(template)\.js$/.test(url)) return 'templating';
  if (/\/load\/(recorder|histogram|sinks|part-result)\.js$/.test(url) || url.includes('hdr-histogram-js'))
    return 'recording';
  if (/\/load\/(engine)\.js$/.test(url)) return 'scheduling';
  if (
    /\/load\/(http-transport|http-client|http-connection|http-parser|grpc-transport|transport)\.js$/.test(
      url,
    ) ||
    url.includes('/undici/') ||
    url.includes('@grpc') ||
    url.startsWith('wasm://') ||
    /^node:(net|stream|tls|dns|internal\/(stream_base_commons|streams|net|dns|tls))/.test(url)
  )
    return 'transport';
  // Module loading, option parsing, the CLI and the reports: once per run, whatever its length.
  if (/^node:(fs|internal\/(modules|bootstrap|fs|url|main))/.test(url) || !url.startsWith('node:'))
    return 'start-up';
  // Other node internals (events, buffers, timers, task queues) count for whoever called them.
  return undefined;
}

/** Microseconds of CPU per part (idle excluded). */
export function attribute(profile: CpuProfile): Record<Part, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const part = new Map<number, Part | 'idle'>();
  const visit = (id: number, inherited: Part | 'idle') => {
    const n = byId.get(id);
    if (!n) return;
    const own = partOf(n.callFrame.functionName, n.callFrame.url) ?? inherited;
    part.set(id, own);
    for (const c of n.children ?? []) visit(c, own === 'idle' ? 'runtime' : own);
  };
  visit(profile.nodes[0]?.id ?? 1, 'runtime');
  const out = Object.fromEntries(PARTS.map((p) => [p, 0])) as Record<Part, number>;
  profile.samples.forEach((id, i) => {
    const p = part.get(id) ?? 'runtime';
    if (p !== 'idle') out[p] += profile.timeDeltas[i] ?? 0;
  });
  return out;
}

function flag(flags: readonly string[], name: string, def: number): number {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : def;
}

export async function main(argv: string[]): Promise<void> {
  const dash = argv.indexOf('--');
  const flags = dash < 0 ? argv : argv.slice(0, dash);
  const extra = dash < 0 ? [] : argv.slice(dash + 1);
  const seconds = flag(flags, 'seconds', 5);
  const connections = flag(flags, 'connections', 50);
  process.stdout.write(`Before: ${loadAverage()}\n`);
  const server = await startBareServer();
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-prof-'));
  try {
    const before = await server.count();
    await run(process.execPath, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      PEAKLAB_BIN,
      'load',
      `http://127.0.0.1:${server.port}/`,
      '--vus',
      String(connections),
      '--duration',
      `${seconds}s`,
      '--quiet',
      ...extra,
    ]);
    const served = (await server.count()) - before;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile written in ${dir}`);
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const parts = attribute(profile);
    const total = PARTS.reduce((n, p) => n + parts[p], 0);
    process.stdout.write(
      `\npeaklab load --vus ${connections} --duration ${seconds}s ${extra.join(' ')}: ${served} requests served; profile ${join(dir, file)}\n\n| part | CPU µs/request | share |\n|---|---:|---:|\n`,
    );
    for (const p of PARTS) {
      process.stdout.write(
        `| ${p} | ${(parts[p] / served).toFixed(2)} | ${((parts[p] / total) * 100).toFixed(1)}% |\n`,
      );
    }
    process.stdout.write(`| total (main thread, sampled) | ${(total / served).toFixed(2)} | 100% |\n`);
    process.stdout.write(`After: ${loadAverage()}\n`);
  } finally {
    server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
