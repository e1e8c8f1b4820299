export interface AlignedLoopOptions {
  /** Time between ticks, in ms. */
  intervalMs: number;
  /** Epoch ms of tick 0: ticks fire at startedAt + k × intervalMs (0 aligns them to the wall clock). */
  startedAt: number;
  /**
   * The work of one tick. `slotMs` is the epoch ms the tick was scheduled for (a timer may fire a
   * little late; the slot is what the sample describes). It must settle within the interval: bound
   * whatever it waits for. Its rejection is ignored: the caller's tick records its own failures.
   */
  tick: (slotMs: number) => Promise<void>;
  now?: () => number;
  /** Run one tick at once instead of waiting for the next slot (default true). */
  immediate?: boolean;
}

export interface AlignedLoop {
  /** No tick starts after this; a tick already running finishes on its own. */
  stop(): void;
}

/**
 * Runs `tick` once per interval on the wall-clock grid, the way Prometheus schedules scrapes. A tick
 * still running when the next is due makes that next one skip rather than pile up: with every wait
 * bounded below the interval this only happens when the process itself stalls.
 */
export function startAlignedLoop(opts: AlignedLoopOptions): AlignedLoop {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs;
  let stopped = false;
  let busy = false;
  let timer: NodeJS.Timeout | undefined;

  function nextSlot(): number {
    const elapsed = now() - opts.startedAt;
    return opts.startedAt + (Math.floor(elapsed / interval) + 1) * interval;
  }

  function run(slotMs: number): void {
    if (stopped) return;
    if (!busy) {
      busy = true;
      opts
        .tick(slotMs)
        .catch(() => {})
        .finally(() => {
          busy = false;
        });
    }
    schedule();
  }

  function schedule(): void {
    if (stopped) return;
    const slot = nextSlot();
    timer = setTimeout(() => run(slot), Math.max(0, slot - now()));
  }

  if (opts.immediate === false) schedule();
  else run(opts.startedAt + Math.floor((now() - opts.startedAt) / interval) * interval);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
