import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { TEST_ENV } from './env.js';

/**
 * Like needService, for a program a test runs (Prometheus, wrk): skip outside CI when it is
 * missing, fail in CI, where .ci/run installs it.
 */
export function needTool(path: string, install: string): { skip: string | false } {
  if (existsSync(path)) return { skip: false };
  const why = `${path} is missing (${install})`;
  if (TEST_ENV.ci) throw new Error(`${why}, and CI requires it`);
  return { skip: `${why} (skipped outside CI)` };
}

/**
 * A port that was free a moment ago, for programs that cannot listen on port 0 and report back.
 * Another process could take it in between; on loopback, in a test, that is rare enough.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}
