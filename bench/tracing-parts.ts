/**
 * `npm run bench -- tracing-parts`: where the cost of tracing goes, layer by layer, on a minimal
 * request (bench/tracing-parts-server.ts: fastify, POST /orders, no database), so the `tracing`
 * suite's ratio can be read: the same layers the platform uses, switched on one at a time (off;
 * the AsyncLocalStorage context manager alone; SDK + @fastify/otel with nothing sampled; spans recorded, exporter discarding; OTLP/HTTP protobuf
 * export to a local HTTP server that drains each post and answers 200). For each, wrk -t1 -c32
 * drives the server and the server process's CPU time (utime + stime, /proc) is divided by the
 * requests served: CPU µs per request, the median over rounds, and each layer's increment.
 * No target: it explains the `tracing` suite. Flags: --rounds=N (5), --seconds=S (6).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runWrk, writePostScript } from './orders-wrk.js';
import { cpuSeconds } from './proc-cpu.js';
import { flag, loadText, median, roundsBlock } from './stats.js';

const VARIANTS = [
  { name: 'off', what: 'no tracing SDK' },
  { name: 'context', what: '+ AsyncLocalStorage context manager alone, a context per request' },
  { name: 'hooks', what: '+ SDK tracer + @fastify/otel hooks and its span, sampler always_off' },
  { name: 'record', what: '+ always_on: a SERVER span recorded per request, exporter discarding' },
  { name: 'export', what: '+ OTLP/HTTP protobuf export to a local HTTP server' },
] as const;

/** The export target: drains each post and answers 200, so its own CPU stays small. */
const SINK = `
const s = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + s.address().port })));
`;

async function start(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).once('line', (l) =>
      resolve((JSON.parse(l) as { url: string }).url),
    );
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { url, child };
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

export async function main(flags: string[]): Promise<void> {
  const rounds = flag(flags, 'rounds', 5);
  const seconds = flag(flags, 'seconds', 6);
  const before = loadText(' ');
  const server = fileURLToPath(new URL('./tracing-parts-server.js', import.meta.url));
  const sink = await start(['-e', SINK]);
  const script = await writePostScript();
  const cpu = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const rps = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const log: string[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const v of VARIANTS) {
        const s = await start([server, v.name, sink.url]);
        try {
          await runWrk(s.url, script, { seconds: 2, connections: 32 }); // warm-up: JIT, connections
          const pid = s.child.pid as number;
          const c0 = await cpuSeconds(pid);
          const r = await runWrk(s.url, script, { seconds, connections: 32 });
          const c1 = await cpuSeconds(pid);
          if (c0 === undefined || c1 === undefined || r.requests === 0 || r.errors > 0) {
            throw new Error(`${v.name}: no measurement (requests ${r.requests}, errors ${r.errors})`);
          }
          const us = ((c1 - c0) / r.requests) * 1e6;
          cpu.get(v.name)?.push(us);
          rps.get(v.name)?.push(r.rps);
          log.push(
            `round ${round} ${v.name.padEnd(7)} ${r.rps.toFixed(0).padStart(6)} req/s  ${us.toFixed(1).padStart(6)} CPU µs/request`,
          );
        } finally {
          await stop(s.child);
        }
      }
    }
  } finally {
    await stop(sink.child);
  }
  const off = median(cpu.get('off') ?? []);
  let previous = off;
  const rows = VARIANTS.map((v) => {
    const us = median(cpu.get(v.name) ?? []);
    const row = `| ${v.name} | ${v.what} | ${median(rps.get(v.name) ?? []).toFixed(0)} | ${us.toFixed(1)} | ${v.name === 'off' ? '' : `+${(us - previous).toFixed(1)}`} | ${(us / off).toFixed(2)}× |`;
    previous = us;
    return row;
  });
  const out = [
    `command: \`npm run bench -- tracing-parts --rounds=${rounds} --seconds=${seconds}\``,
    `date: ${new Date().toISOString()}`,
    `load average before: ${before}; after: ${loadText(' ')}`,
    '',
    `wrk -t1 -c32 -d${seconds}s POST /orders on a minimal fastify route (no database), each layer in a fresh process, ${rounds} rounds, medians:`,
    '',
    '| layer | what is on | req/s | server CPU µs/request | added by this layer | vs off |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
    '',
    'no target: it breaks down, layer by layer, the cost the `tracing` suite measures as one ratio on orders.',
    '',
    ...roundsBlock(log),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
