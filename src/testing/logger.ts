import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { traceLogFields } from '../shared/logger.js';

/** An info-level pino logger whose JSON lines land in `lines`, parsed; with the trace fields, as createLogger's. */
export function capturingLogger(lines: Array<Record<string, unknown>>): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      done();
    },
  });
  return pino({ level: 'info', mixin: traceLogFields }, sink);
}
