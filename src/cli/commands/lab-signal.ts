import { PeaklabError } from '../../shared/errors.js';

/**
 * Runs a lab with an AbortSignal that SIGINT and SIGTERM abort, so an interrupted lab stops the
 * services it started and writes what it has; the handlers are removed when `run` settles.
 * Resolves as `run` does. When a signal arrived, whatever `run` throws (or a normal return) is
 * reported as PL_INTERRUPTED (SIGINT, exit 130) or PL_TERMINATED (SIGTERM, exit 143), the
 * shell's convention and what `peaklab load` exits with, the original error kept as `cause`.
 */
export async function withStopSignal<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const onInt = () => {
    received ??= 'SIGINT';
    controller.abort();
  };
  const onTerm = () => {
    received ??= 'SIGTERM';
    controller.abort();
  };
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    const value = await run(controller.signal);
    if (received) throw signalError(received, undefined);
    return value;
  } catch (err) {
    if (received && !(err instanceof PeaklabError && err.exitCode === exitFor(received))) {
      throw signalError(received, err);
    }
    throw err;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

function exitFor(sig: 'SIGINT' | 'SIGTERM'): number {
  return sig === 'SIGINT' ? 130 : 143;
}

function signalError(sig: 'SIGINT' | 'SIGTERM', cause: unknown): PeaklabError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return sig === 'SIGINT'
    ? new PeaklabError('PL_INTERRUPTED', `lab interrupted (SIGINT)${detail}`, { cause })
    : new PeaklabError('PL_TERMINATED', `lab terminated (SIGTERM)${detail}`, { cause });
}
