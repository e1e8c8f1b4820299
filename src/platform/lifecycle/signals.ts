import type { Logger } from 'pino';
import { ERRORS } from '../../shared/errors.js';
import type { ShutdownReport } from './lifecycle.js';

export interface SignalOptions {
  /**
   * The hard deadline (ms) for the whole shutdown: past it the process logs `shutdown-timeout` and
   * exits 1 whatever is still running. Unset: no bound beyond the shutdown's own.
   */
  readonly deadlineMs?: number;
  /** Ends the process; a parameter so tests can watch it. */
  readonly exit?: (code: number) => void;
}

/** Exit code of a stop that was not clean (PL_SHUTDOWN_UNCLEAN in the error registry). */
const UNCLEAN = ERRORS.PL_SHUTDOWN_UNCLEAN.exit;
const code = 'PL_SHUTDOWN_UNCLEAN';

/**
 * Runs `shutdown` once on the first SIGTERM or SIGINT, then exits 0 when it was clean and 1
 * (PL_SHUTDOWN_UNCLEAN) when it dropped anything, a step failed, or the deadline passed. A second signal while shutting down exits at once with 1:
 * an operator pressing Ctrl+C twice means it. The handlers stay installed (`on`, not `once`) so
 * that second signal reaches us instead of Node's default action.
 */
export function onShutdownSignal(
  logger: Logger,
  shutdown: () => Promise<ShutdownReport>,
  opts: SignalOptions = {},
): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handler = (signal: NodeJS.Signals | 'parent-gone') => {
    if (stopping) {
      // The parent going away mid-shutdown is no operator's second Ctrl+C: the drain goes on.
      if (signal === 'parent-gone') return;
      logger.warn({ event: 'forced', signal, code }, 'second signal: exiting now');
      exit(UNCLEAN);
      return;
    }
    stopping = true;
    logger.info({ event: 'stopping', signal }, 'shutting down');
    if (opts.deadlineMs !== undefined && Number.isFinite(opts.deadlineMs)) {
      // Not unref'd: a shutdown stuck on a promise that holds no handle would otherwise let Node
      // end the process by itself, with exit code 0.
      setTimeout(() => {
        logger.error(
          { event: 'shutdown-timeout', ms: opts.deadlineMs, code },
          'shutdown overran its deadline',
        );
        exit(UNCLEAN);
      }, opts.deadlineMs);
    }
    shutdown().then(
      (report) => {
        if (report.clean) {
          logger.info({ event: 'stopped' }, 'shut down cleanly');
          exit(0);
        } else {
          logger.error(
            { event: 'stopped-unclean', dropped: report.dropped, failed: report.failed, code },
            'shut down, but not cleanly',
          );
          exit(UNCLEAN);
        }
      },
      (err: unknown) => {
        logger.error({ err, code }, 'shutdown failed');
        exit(UNCLEAN);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  stopWithParent(() => handler('parent-gone'));
}

/**
 * A peaklab parent (the lab, spawnPeaklab) starts its services with an IPC channel. The channel
 * closes when the parent dies, whatever killed it (SIGKILL, an uncaught error, a closed pipe):
 * then `stop` runs, the same graceful stop as SIGTERM, so no service lives on under init holding
 * its port and its data directory. The channel is unref'd: it never keeps the process alive.
 */
function stopWithParent(stop: () => void): void {
  const channel = process.channel;
  if (channel === undefined) return;
  // The parent may have died while this service was starting, before anyone listened.
  if (!process.connected) {
    stop();
    return;
  }
  process.once('disconnect', stop);
  channel.unref();
}
