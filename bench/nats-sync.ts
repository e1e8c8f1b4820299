/**
 * `npm run bench -- nats-sync`: what `jetstream { sync_interval: always }` (deploy/nats/
 * nats-server.conf) costs. Two private nats-server 2.10 processes run the shipped config, each on
 * a free port with its own temporary store directory on the project's disk: one as shipped (fsync
 * before every acknowledgement), one without that line (NATS's default: fsync every 2 minutes).
 * `serve orders --mode queue --workers 0` runs against each, and wrk POSTs orders to the two
 * intakes, alternating round by round. Reports the median req/s and p99 of each, and the ratio
 * always ÷ default (median of per-round ratios). docs/deploy.md points at this section as "NATS
 * sync_interval always vs default". It states no target: it measures a trade-off.
 * Needs /opt/nats-server-2.10/nats-server (`bash .ci/install-nats-server-2.10.sh`).
 * Flags: --rounds=N (3), --seconds=S (5), --connections=C (64).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ChildService, spawnPeaklab } from '../src/shared/child-service.js';
import { testBackends } from '../src/testing/backends.js';
import { runWrk, type WrkResult, writePostScript } from './orders-wrk.js';
import { loadText, median } from './stats.js';

export const NATS_210 = '/opt/nats-server-2.10/nats-server';
const SHIPPED = fileURLToPath(new URL('../../deploy/nats/nats-server.conf', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Variant {
  readonly name: 'default' | 'always';
  readonly label: string;
  readonly dir: string;
  readonly nats: ChildProcess;
  readonly port: number;
  svc?: ChildService;
}

function flag(flags: readonly string[], name: string, def: number): number {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  const v = hit ? Number(hit.split('=')[1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port; rejects after timeoutMs. */
async function waitForPort(port: number, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = new Socket();
      sock.setTimeout(500);
      sock.once('connect', () => resolve(true));
      sock.once('timeout', () => resolve(false));
      sock.once('error', () => resolve(false));
      sock.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (exited()) throw new Error(`nats-server on :${port} exited before listening`);
    if (Date.now() > deadline) throw new Error(`nats-server on :${port} not listening after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The shipped config with only what must differ for a private run: its port on 127.0.0.1, no
 * monitoring port, its own store directory, and, for `default`, no `sync_interval` line.
 */
export function privateConfig(shipped: string, opts: { port: number; dir: string; sync: boolean }): string {
  let conf = shipped
    .replace(/^listen:.*$/m, `listen: 127.0.0.1:${opts.port}`)
    .replace(/^http:.*$/m, '')
    .replace(/^(\s*)store_dir:.*$/m, `$1store_dir: ${JSON.stringify(opts.dir)}`);
  if (!opts.sync) conf = conf.replace(/^\s*sync_interval:.*$/m, '');
  return conf;
}

async function startNats(name: Variant['name'], shipped: string): Promise<Variant> {
  // On the project's disk, not a tmpfs /tmp: an fsync on tmpfs costs nothing and proves nothing.
  const dir = await mkdtemp(join(ROOT, `.bench-nats-${name}-`));
  const port = await freePort();
  const conf = privateConfig(shipped, { port, dir, sync: name === 'always' });
  if (name === 'always' && !/sync_interval:\s*always/.test(conf)) {
    throw new Error(`${SHIPPED} has no "sync_interval: always" line: nothing to compare`);
  }
  await writeFile(join(dir, 'nats.conf'), conf);
  const nats = spawn(NATS_210, ['-c', join(dir, 'nats.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  nats.once('exit', () => {
    exited = true;
  });
  let log = '';
  nats.stderr?.on('data', (c: Buffer) => {
    log = (log + c.toString()).slice(-2000);
  });
  try {
    await waitForPort(port, 15_000, () => exited);
  } catch (err) {
    nats.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  const label = name === 'always' ? 'sync_interval: always (as shipped)' : 'sync_interval default (2 min)';
  return { name, label, dir, nats, port };
}

const load = () => loadText();

export async function main(flags: string[]): Promise<void> {
  const rounds = flag(flags, 'rounds', 3);
  const seconds = flag(flags, 'seconds', 5);
  const connections = flag(flags, 'connections', 64);
  process.stdout.write(`Load average (1, 5, 15 min) before: ${load()}\n\n`);
  try {
    await access(NATS_210);
  } catch {
    throw new Error(`${NATS_210} is missing: install it with bash .ci/install-nats-server-2.10.sh`);
  }
  const version = (await promisify(execFile)(NATS_210, ['--version'])).stdout.trim();
  const fsType = await promisify(execFile)('findmnt', ['-n', '-o', 'FSTYPE', '-T', ROOT]).then(
    (r) => r.stdout.trim(),
    () => 'an unknown file system',
  );
  const shipped = await readFile(SHIPPED, 'utf8');
  const backends = testBackends('benchsync');
  const script = await writePostScript();
  const variants: Variant[] = [];
  try {
    for (const name of ['default', 'always'] as const) {
      const v = await startNats(name, shipped);
      variants.push(v);
      const env = {
        ...process.env,
        ...backends.env,
        NATS_URL: `nats://127.0.0.1:${v.port}`,
        LOG_LEVEL: 'warn',
      };
      v.svc = await spawnPeaklab(
        ['serve', 'orders', '--mode', 'queue', '--workers', '0', '--port', '0', '--rps-limit', '0'],
        { env },
      );
    }
    for (const v of variants) await runWrk(v.svc?.url as string, script, { seconds: 2, connections }); // warm up
    const results = new Map<string, WrkResult[]>(variants.map((v) => [v.name, []]));
    process.stdout.write(
      `${version}, stores on ${fsType}. \`serve orders --mode queue --workers 0\` against each; wrk -t1 -c${connections} -d${seconds}s per round:\n\n| round | nats-server | req/s | p99 | errors |\n|---:|---|---:|---:|---:|\n`,
    );
    for (let round = 1; round <= rounds; round++) {
      for (const v of variants) {
        const r = await runWrk(v.svc?.url as string, script, { seconds, connections });
        results.get(v.name)?.push(r);
        process.stdout.write(
          `| ${round} | ${v.label} | ${r.rps.toFixed(0)} | ${r.p99Ms.toFixed(2)} ms | ${r.errors} |\n`,
        );
      }
    }
    const def = results.get('default') ?? [];
    const alw = results.get('always') ?? [];
    const ratio = median(alw.map((r, i) => r.rps / (def[i]?.rps ?? Number.NaN)));
    process.stdout.write(
      `\n${rounds} alternating rounds, medians:\n\n| NATS sync_interval always vs default | req/s | ratio to default | p99 |\n|---|---:|---:|---:|\n`,
    );
    for (const v of variants) {
      const rs = results.get(v.name) ?? [];
      const r = v.name === 'always' ? ratio : 1;
      const errors = rs.reduce((a, x) => a + x.errors, 0);
      process.stdout.write(
        `| ${v.label}${errors ? ` (${errors} errors)` : ''} | ${median(rs.map((x) => x.rps)).toFixed(0)} | ${r.toFixed(2)}× | ${median(rs.map((x) => x.p99Ms)).toFixed(2)} ms |\n`,
      );
    }
    process.stdout.write(
      `\nNATS sync_interval always vs default: ${ratio.toFixed(2)}× the requests/s, p99 ${median(alw.map((x) => x.p99Ms)).toFixed(2)} ms against ${median(def.map((x) => x.p99Ms)).toFixed(2)} ms.\n`,
    );
  } finally {
    await Promise.allSettled(variants.map((v) => v.svc?.stop('SIGTERM')));
    for (const v of variants) {
      await new Promise((r) => {
        if (v.nats.exitCode !== null || v.nats.signalCode !== null) return r(undefined);
        v.nats.once('exit', r);
        v.nats.kill('SIGTERM');
        setTimeout(() => v.nats.kill('SIGKILL'), 10_000).unref();
      });
      await rm(v.dir, { recursive: true, force: true });
    }
    await rm(script, { force: true });
    await backends.cleanup();
    process.stdout.write(`\nLoad average (1, 5, 15 min) after: ${load()}\n`);
  }
}
