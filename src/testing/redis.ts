import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { TEST_ENV } from './env.js';
import { freePort, needTool } from './tools.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** Runs `fn` on a fresh, bounded connection to `url` (default: the test Redis). */
export async function withRedis<T>(fn: (client: Redis) => Promise<T>, url = TEST_ENV.redisUrl): Promise<T> {
  // No reconnecting: a failed connect must leave nothing behind that keeps the process alive.
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    commandTimeout: 5000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

/** Deletes every key starting with `prefix` (SCAN, so the server is never blocked). */
export async function deleteKeys(prefix: string, url = TEST_ENV.redisUrl): Promise<void> {
  await withRedis(async (client) => {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  }, url);
}

/**
 * A Redis server of the test's own, for what must not touch the shared one (FLUSHALL, a crash):
 * on a free port, without persistence, so a restart comes back empty as a crashed cache does.
 */
export interface PrivateRedis {
  readonly url: string;
  /** Kills the server (SIGKILL by default) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/** Like needService: skip outside CI when redis-server is missing, fail in CI. */
export function needRedisServer(): { skip: string | false } {
  return needTool(REDIS_SERVER, 'apt-get install redis-server');
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    child = proc;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null)
        throw new Error(`redis-server on port ${port} exited with ${proc.exitCode}`);
      try {
        await withRedis((c) => c.ping(), url);
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          proc.kill('SIGKILL');
          throw err;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await start();
  return {
    url,
    start,
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      const proc = child;
      if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await exited;
    },
  };
}
