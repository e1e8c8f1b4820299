import { connect } from 'node:net';
import { PeaklabError } from '../shared/errors.js';
import type { Target } from './options.js';

/**
 * One TCP connect before the run: an unreachable target is a usage error (exit 2) reported in one
 * line, not a run whose every request fails with ECONNREFUSED.
 */
export function preflight(target: Target, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new PeaklabError('PL_TARGET_UNREACHABLE', `cannot connect to ${target.host}:${target.port}: ${why}`),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
  });
}
