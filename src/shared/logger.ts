import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type Logger, pino } from 'pino';
import { tolerateClosedOutput } from './closed-output.js';

export type { Logger };

/**
 * The active span's ids as log fields (`trace_id`, `span_id`), so a log line can be found from its
 * trace and the reverse. Without tracing there is no active span and the line gets nothing. Never
 * throws: a log line must not fail for its telemetry.
 */
export function traceLogFields(): Record<string, string> {
  try {
    const span = trace.getActiveSpan();
    if (span === undefined) return {};
    const ctx = span.spanContext();
    return isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
  } catch {
    return {};
  }
}

/**
 * Services log JSON lines to stdout (one event per line, machine-readable: the lab and the tests
 * read the `listening` event to learn a port-0 service's address). A line logged inside a span
 * carries its `trace_id` and `span_id`.
 *
 * The lines go through process.stdout, not pino's default sonic-boom: when stdout is a closed pipe
 * (`peaklab serve … | head -3`), sonic-boom's flush at exit retries the failing write every 100 ms
 * for ever (its flushSync sleeps on every error, EPIPE included), so a SIGTERM'd service never
 * exited. process.stdout reports EPIPE as an 'error' event instead, dropped by tolerateClosedOutput.
 */
export function createLogger(name: string, level: string = 'info'): Logger {
  tolerateClosedOutput(process.stdout);
  return pino(
    {
      name,
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceLogFields,
    },
    process.stdout,
  );
}

/** A logger that drops everything: for libraries driven in process (tests, the lab). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
