import type { BacklogProbe } from './ports.js';
import type { BacklogReading } from './types.js';

/** How often the backlog is read: twice per scrape, so two readings fit in any whole second. */
export const BACKLOG_POLL_MS = 500;
/**
 * Zeros read sooner than this after the load ended do not count towards "drained": a gauge the service
 * samples once a second, scraped up to a second later, can still show the quiet moment before the last
 * orders arrived.
 */
export const DRAIN_CONFIRM_AFTER_LOAD_MS = 1000;
/** The shortest watch after the load that can confirm a drain: the window, then two readings. */
export const MIN_WATCH_AFTER_LOAD_MS = DRAIN_CONFIRM_AFTER_LOAD_MS + 2 * BACKLOG_POLL_MS;

/**
 * The drain rule: the index of the second of two consecutive readings of 0, both taken at least
 * DRAIN_CONFIRM_AFTER_LOAD_MS after the load ended; -1 if the readings never satisfy it. A failed
 * reading (null) breaks a run of zeros: an unknown is not an empty queue.
 */
export function drainConfirmedAt(readings: readonly BacklogReading[], loadEndMs: number): number {
  for (let i = 1; i < readings.length; i++) {
    const a = readings[i - 1] as BacklogReading;
    const b = readings[i] as BacklogReading;
    if (a.depth === 0 && b.depth === 0 && a.atMs >= loadEndMs + DRAIN_CONFIRM_AFTER_LOAD_MS) return i;
  }
  return -1;
}

/**
 * When the queue was first seen empty for good: the first reading of the run of zeros that confirmed
 * the drain (it may start before the confirmation window). Null when the drain was not confirmed.
 */
export function drainedAtMs(readings: readonly BacklogReading[], loadEndMs: number): number | null {
  let i = drainConfirmedAt(readings, loadEndMs);
  if (i < 0) return null;
  while (i > 0 && readings[i - 1]?.depth === 0) i--;
  return (readings[i] as BacklogReading).atMs;
}

/** `work`, unless `signal` aborts first (then rejects with its reason). */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason ?? new Error('aborted'));
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

export interface BacklogWatchOptions {
  intervalMs?: number;
  now?: () => number;
}

export interface BacklogWatch {
  /** Every reading so far, in order. */
  readonly readings: BacklogReading[];
  /**
   * Resolves true once the drain rule holds after `loadEndMs`; false when `deadlineMs` (after the
   * load started) passes first, or `signal` aborts. `onReading` sees each reading while it waits.
   */
  untilDrained(
    loadEndMs: number,
    deadlineMs: number,
    signal: AbortSignal,
    onReading?: (r: BacklogReading) => void,
  ): Promise<boolean>;
  /** Stops reading and resolves once a read still in progress has been recorded. */
  stop(): Promise<void>;
}

/**
 * Reads the probe every `intervalMs`, aligned to whole intervals after `startedAt` (the load's start),
 * and records every reading. A read that fails or outlasts two intervals is recorded as null, never
 * thrown: the experiment must not die because one reading did. Reads never overlap.
 */
export function startBacklogWatch(
  probe: BacklogProbe,
  startedAt: number,
  opts: BacklogWatchOptions = {},
): BacklogWatch {
  const interval = opts.intervalMs ?? BACKLOG_POLL_MS;
  const now = opts.now ?? Date.now;
  const readings: BacklogReading[] = [];
  const listeners = new Set<(r: BacklogReading) => void>();
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function read(): Promise<void> {
    const atMs = now() - startedAt;
    const signal = AbortSignal.timeout(2 * interval);
    const pending = probe.read(signal);
    let depth: number | null;
    try {
      depth = await unlessAborted(pending, signal);
    } catch {
      depth = null;
    }
    const reading = { atMs, depth };
    readings.push(reading);
    for (const listener of listeners) listener(reading);
    // A late read is recorded as a gap at once, but the next one waits for it: reads never overlap.
    await pending.catch(() => {});
  }

  function tick(): void {
    if (stopped) return;
    if (!inFlight) {
      inFlight = read().finally(() => {
        inFlight = undefined;
      });
    }
    const elapsed = now() - startedAt;
    const next = (Math.floor(elapsed / interval) + 1) * interval;
    timer = setTimeout(tick, Math.max(0, next - elapsed));
  }

  tick();
  return {
    readings,
    untilDrained(loadEndMs, deadlineMs, signal, onReading) {
      return new Promise<boolean>((resolve) => {
        const finish = (drained: boolean) => {
          listeners.delete(check);
          clearTimeout(deadline);
          signal.removeEventListener('abort', abort);
          resolve(drained);
        };
        const check = (r: BacklogReading) => {
          onReading?.(r);
          if (drainConfirmedAt(readings, loadEndMs) >= 0) finish(true);
        };
        const abort = () => finish(false);
        const deadline = setTimeout(
          () => finish(drainConfirmedAt(readings, loadEndMs) >= 0),
          Math.max(0, deadlineMs - (now() - startedAt)),
        );
        if (signal.aborted) return finish(false);
        if (drainConfirmedAt(readings, loadEndMs) >= 0) return finish(true);
        signal.addEventListener('abort', abort, { once: true });
        listeners.add(check);
      });
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
