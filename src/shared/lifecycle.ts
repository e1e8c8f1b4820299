import type { Logger } from 'pino';

/**
 * Runs `shutdown` once on the first SIGTERM or SIGINT, then exits 0 (or 1 if it failed).
 * A second signal while shutting down exits at once with 1: an operator pressing Ctrl+C twice
 * means it. The handlers stay installed (`on`, not `once`) so that second signal reaches us
 * instead of Node's default action.
 */
export function onShutdownSignal(logger: Logger, shutdown: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ event: 'forced', signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ event: 'stopping', signal }, 'shutting down');
    shutdown(signal).then(
      () => {
        logger.info({ event: 'stopped' }, 'shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
