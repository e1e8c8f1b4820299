import type { Writable } from 'node:stream';

export interface ProgressState {
  phase: string;
  /** Seconds since the experiment started, and its planned total. */
  elapsedS: number;
  totalS: number;
  /** Requests started in the last second. */
  rate: number;
  /** Responses by status so far in this phase. */
  status: Record<string, number>;
  queueDepth?: number | null;
}

export interface Progress {
  update(state: ProgressState): void;
  /** A line that stays (a phase finished); on a TTY it replaces the live line. */
  note(line: string): void;
  done(): void;
}

export function formatProgress(s: ProgressState): string {
  const statuses = Object.entries(s.status)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  const depth = s.queueDepth === undefined || s.queueDepth === null ? '' : `  queue ${s.queueDepth}`;
  return (
    `[${s.phase}] ${Math.floor(s.elapsedS)}s/${Math.round(s.totalS)}s  ` +
    `rate ${Math.round(s.rate)}/s  ${statuses || 'no responses yet'}${depth}`
  );
}

/**
 * Progress on stderr: a live line on a TTY, else a plain line every `everyS` seconds (CI logs stay
 * readable). It writes to the stream it is given, never to the process's own.
 */
export function createProgress(out: Writable & { isTTY?: boolean }, everyS = 5): Progress {
  const tty = out.isTTY === true;
  let lastPrinted = Number.NEGATIVE_INFINITY;
  let live = false;
  return {
    update(state) {
      if (tty) {
        out.write(`\r\x1b[2K${formatProgress(state)}`);
        live = true;
        return;
      }
      if (state.elapsedS - lastPrinted < everyS) return;
      lastPrinted = state.elapsedS;
      out.write(`${formatProgress(state)}\n`);
    },
    note(line) {
      out.write(tty && live ? `\r\x1b[2K${line}\n` : `${line}\n`);
      live = false;
    },
    done() {
      if (tty && live) out.write('\n');
      live = false;
    },
  };
}
