import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PeaklabError } from './errors.js';

/** The CLI launcher, resolved from this compiled file (dist/src/shared) back to the repo's bin/. */
export const PEAKLAB_BIN = fileURLToPath(new URL('../../../bin/peaklab.js', import.meta.url));

/** Children still running, for the exit hook. */
const live = new Set<ChildProcess>();
let exitHooked = false;

/**
 * When this process exits (process.exit, an uncaught error, the end of its work) while children
 * still run, each gets SIGTERM at once: its graceful stop starts now, not when it notices the
 * closed channel. Synchronous, as an 'exit' listener must be.
 */
function stopChildrenOnExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
}

export interface ChildService {
  /** http://127.0.0.1:PORT from the `listening` event, if the process serves HTTP. */
  readonly url: string | undefined;
  readonly child: ChildProcess;
  /** Every stdout/stderr line so far, for diagnostics. */
  readonly output: string[];
  /** Sends `signal` (default SIGTERM) and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export interface SpawnOptions {
  /**
   * The child's whole environment: nothing is inherited implicitly, so a caller decides what of its
   * own environment a child sees (the lab strips the service's config variables, for instance).
   */
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** The Node.js binary to run peaklab with (default: this process's own, `process.execPath`). */
  execPath?: string;
  /** How long to wait for the ready line. */
  timeoutMs?: number;
}

/**
 * Starts `peaklab ARGS...` as a child process and resolves once it logs a JSON line whose `event`
 * is `listening` (with `url`) or `ready`. Used by the lab, the crash tests and the benchmarks.
 */
export function spawnPeaklab(args: readonly string[], opts: SpawnOptions): Promise<ChildService> {
  // The IPC channel is the child's lifeline: it closes when this process dies, however it dies
  // (SIGKILL included, when no exit handler runs), and the child then stops itself as on SIGTERM
  // (onShutdownSignal). Nothing is sent over it.
  const child = spawn(opts.execPath ?? process.execPath, [PEAKLAB_BIN, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Unref'd: the channel must not keep this process alive once it is done with the child.
  child.channel?.unref();
  live.add(child);
  child.once('exit', () => live.delete(child));
  stopChildrenOnExit();
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise<ChildService>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      const tail = output.slice(-15).join('\n');
      reject(new PeaklabError('PL_CHILD_FAILED', `peaklab ${args.join(' ')}: ${why}\n${tail}`));
    };
    const timer = setTimeout(() => fail('not ready in time'), opts.timeoutMs ?? 30_000);
    const onLine = (line: string) => {
      if (output.length > 5000) output.shift();
      output.push(line);
      if (settled || !line.startsWith('{')) return;
      let event: { event?: unknown; url?: unknown };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return;
      }
      if (event.event !== 'listening' && event.event !== 'ready') return;
      settled = true;
      clearTimeout(timer);
      const url = typeof event.url === 'string' ? event.url : undefined;
      resolve({
        url,
        child,
        output,
        exited,
        stop(signal: NodeJS.Signals = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.once('error', (err) => fail(err.message));
  });
}
