import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { TEST_ENV } from './env.js';

export type ServiceName = 'postgres' | 'redis' | 'nats';

const URLS: Record<ServiceName, string> = {
  postgres: TEST_ENV.databaseUrl,
  redis: TEST_ENV.redisUrl,
  nats: TEST_ENV.natsUrl,
};

const DEFAULT_PORTS: Record<ServiceName, number> = { postgres: 5432, redis: 6379, nats: 4222 };

function reachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Gate for tests that need a real service. Returns `{ skip: false, url }` when it answers.
 * When it does not: outside CI, `{ skip: "<why>" }` to pass to `test(name, { skip }, fn)`;
 * in CI, it throws, so a missing service fails the run instead of silently skipping.
 */
export async function needService(name: ServiceName): Promise<{ skip: string | false; url: string }> {
  const url = URLS[name];
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[name];
  const host = parsed.hostname || '127.0.0.1';
  if (await reachable(host, port)) return { skip: false, url };
  const why = `${name} is not reachable at ${host}:${port}`;
  if (TEST_ENV.ci)
    throw new Error(`${why}, and CI requires it (README.md, "Running the tests", says how to start it)`);
  return { skip: `${why} (skipped outside CI)`, url };
}

/** A name no other test run uses: for streams, schemas, tables and key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
}
