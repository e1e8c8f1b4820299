import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Services log JSON lines to stdout (one event per line, machine-readable: the lab and the tests
 * read the `listening` event to learn a port-0 service's address).
 */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that drops everything: for libraries driven in process (tests, the lab). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
