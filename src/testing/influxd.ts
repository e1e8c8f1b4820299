import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './tools.js';
import { waitFor } from './wait.js';

/** Debian's InfluxDB 1.x server (package `influxdb`). */
export const INFLUXD = '/usr/bin/influxd';

/** One InfluxDB 1.x series as /query answers it. */
export interface InfluxSeries {
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly columns: readonly string[];
  readonly values: ReadonlyArray<ReadonlyArray<string | number | null>>;
}

export interface TestInfluxd {
  /** http://127.0.0.1:PORT of the HTTP API. */
  readonly url: string;
  /** Runs one InfluxQL statement (GET /query for SELECT/SHOW, POST otherwise); throws on an error. */
  query(q: string, db?: string): Promise<InfluxSeries[]>;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

/** influxd's config: everything under `dir`, HTTP and RPC on loopback, nothing phoned home. */
function config(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
`;
}

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

/**
 * Starts a private influxd on free loopback ports with its own temporary directory, and resolves
 * once /ping answers (within 20 s, else it throws with the server's output).
 */
export async function startInfluxd(): Promise<TestInfluxd> {
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-influxd-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const file = join(dir, 'influxdb.conf');
  await writeFile(file, config(dir, httpPort, rpcPort));
  const output: string[] = [];
  const child: ChildProcess = spawn(INFLUXD, ['-config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    if (output.length < 200) output.push(chunk.toString());
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  };
  const up = await waitFor(async () => child.exitCode === null && (await ping(url)), 20_000, 100);
  if (!up) {
    await stop();
    throw new Error(`influxd did not answer /ping on ${url}:\n${output.join('').slice(-2000)}`);
  }
  return {
    url,
    stop,
    async query(q, db) {
      const params = new URLSearchParams({ q, epoch: 'ms' });
      if (db !== undefined) params.set('db', db);
      const read = /^\s*(SELECT|SHOW)/i.test(q);
      const res = await fetch(`${url}/query${read ? `?${params}` : ''}`, {
        method: read ? 'GET' : 'POST',
        ...(read ? {} : { body: params }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json()) as {
        error?: string;
        results?: Array<{ error?: string; series?: InfluxSeries[] }>;
      };
      const error = body.error ?? body.results?.[0]?.error;
      if (!res.ok || error !== undefined) throw new Error(`influxd ${q}: ${error ?? res.status}`);
      return body.results?.[0]?.series ?? [];
    },
  };
}
