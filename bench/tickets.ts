/**
 * `npm run bench -- tickets`: the seed's own benchmark, `hey -n 20000 -c 100 -m POST -D ticket.txt`,
 * against `serve tickets` (Postgres: every 202 follows a COMMIT of the raw body) and against a bare
 * node:http server that reads the body and answers the same 202, in one run. Prints the load
 * average before and after, requests/s and p50/p99 beside the seed's 256 req/s, p50 95 ms, p99
 * 655 ms, the ratio to bare, and two verdicts computed here: tickets >= 0.3x bare node:http, and
 * every 202 is a row in Postgres. Flags: --n=REQUESTS (20000), --c=CONCURRENCY (100).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { envWithout } from '../src/config/mod.js';
import { TICKETS_SPEC } from '../src/services/tickets/config.js';
import { storedCounts, ticketBackends, waitSettled } from '../src/services/tickets/testing/harness.js';
import { type HeyResult, runHey } from '../src/services/tickets/testing/hey.js';
import { type ChildService, spawnPeaklab } from '../src/shared/child-service.js';

const TARGET_RATIO = 0.3;
const SEED = { rps: 256, p50Ms: 95, p99Ms: 655 };
const TICKET = fileURLToPath(new URL('../../scripts/ticket.txt', import.meta.url));

/** The reference: node:http reading the whole body, then 202 with a fresh id, as the service answers. */
const BARE_SERVER = `
const http = require('node:http');
const crypto = require('node:crypto');
const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    const id = crypto.randomUUID();
    res.writeHead(202, { 'content-type': 'application/json; charset=utf-8' });
    res.end('{"id":"' + id + '","status":"received"}');
  });
});
server.keepAliveTimeout = 72000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
`;

function numberFlag(flags: string[], name: string, def: number): number {
  const given = flags.find((f) => f.startsWith(`--${name}=`));
  const v = given === undefined ? def : Number(given.slice(name.length + 3));
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive whole number`);
  return v;
}

async function bareServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('no stdout'));
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve((JSON.parse(line) as { port: number }).port),
    );
    child.once('exit', (code) => reject(new Error(`bare node:http exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const twoXX = (r: HeyResult) => r.statuses.get(202) ?? 0;
const others = (r: HeyResult) => [...r.statuses.values()].reduce((a, b) => a + b, 0) - twoXX(r);

export async function main(flags: string[]): Promise<void> {
  const n = numberFlag(flags, 'n', 20_000);
  const c = numberFlag(flags, 'c', 100);
  const before = loadavg();
  const bare = await bareServer();
  let bareRun: HeyResult;
  try {
    bareRun = await runHey({ url: `${bare.url}/ticket`, requests: n, concurrency: c, bodyFile: TICKET });
  } finally {
    bare.child.kill('SIGTERM');
  }
  const backends = ticketBackends('bench_tickets');
  let svc: ChildService | undefined;
  let run: HeyResult;
  let rows: number;
  let settledS: number;
  try {
    svc = await spawnPeaklab(['serve', 'tickets', '--port', '0'], {
      // Defaults only: a stray WORKERS or ACK in the caller's environment must not change the run.
      env: { ...envWithout(process.env, TICKETS_SPEC), ...backends.env },
    });
    run = await runHey({ url: `${svc.url}/ticket`, requests: n, concurrency: c, bodyFile: TICKET });
    rows = (await storedCounts(backends.schema)).rows;
    const t0 = performance.now();
    await waitSettled(backends.schema, 120_000);
    settledS = (performance.now() - t0) / 1000;
  } finally {
    await svc?.stop();
    await backends.cleanup();
  }
  const after = loadavg();
  const ratio = run.requestsPerSecond / bareRun.requestsPerSecond;
  // Without an Idempotency-Key every request is its own row: rows >= 202s means none was lost;
  // rows above it are requests stored whose answer hey never got (a timeout), not losses.
  const durable = rows >= twoXX(run);
  const row = (name: string, r: HeyResult) =>
    `| ${name} | ${fmt(r.requestsPerSecond, 0)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${twoXX(r)} | ${others(r)} | ${r.errors} |`;
  const out = [
    `Command: \`${run.command.replace(/ http\S+$/, ' <url>/ticket')}\` against each server (the body is scripts/ticket.txt, the seed's ticket)`,
    `Date (UTC): ${new Date().toISOString()}`,
    `Load average before: ${before.map((v) => v.toFixed(2)).join(' ')}; after: ${after.map((v) => v.toFixed(2)).join(' ')}`,
    '',
    '| server | requests/s | p50 ms | p99 ms | 202 | other statuses | transport errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('bare node:http (reads the body, 202)', bareRun),
    row('serve tickets (202 after COMMIT, Postgres)', run),
    `| seed (Go, 200 before anything is durable; its own numbers) | ${SEED.rps} | ${SEED.p50Ms} | ${SEED.p99Ms} | | | |`,
    '',
    `Ratio tickets / bare node:http: ${ratio.toFixed(2)}x; tickets / seed: ${(run.requestsPerSecond / SEED.rps).toFixed(1)}x requests/s.`,
    `Rows in Postgres after the run: ${rows} for ${twoXX(run)} answers 202; the backlog was treated ${settledS.toFixed(1)} s after hey finished.`,
    `target tickets >= ${TARGET_RATIO}x bare node:http: ${ratio >= TARGET_RATIO ? 'met' : 'not met'}`,
    `target every 202 is a row in Postgres: ${durable ? 'met' : 'not met'}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
}
