import { BACKLOG_POLL_MS, DRAIN_CONFIRM_AFTER_LOAD_MS, MIN_WATCH_AFTER_LOAD_MS } from './backlog-watch.js';
import { modelBacklogAt, sineDurationMs } from './sine.js';
import type { LabSettings } from './types.js';

/**
 * Start-up of both services, started together: an embedded PGlite database is created from scratch
 * (about 10 s for two at once on 2 cores, most of it compiling and initialising the wasm Postgres);
 * against a running Postgres and NATS a service is up in a few seconds.
 */
const STARTUP_S = { pglite: 10, postgres: 3 };
/** Shed mode scrapes one more whole second after its load, for the last second's counters. */
const SHED_TAIL_S = 1.1;
/** Per mode: stopping the service and reading its rows back. */
const STOP_AND_READ_S = 1;

/** The orders still queued when the sine ends, by the fluid model of the settings. */
export function expectedBacklogAtEnd(
  settings: Pick<LabSettings, 'minRps' | 'maxRps' | 'periodMs' | 'cycles' | 'processRps'>,
): number {
  return modelBacklogAt(settings, settings.processRps, sineDurationMs(settings));
}

/**
 * What the progress line shows as the total: start-up, both loads, shed's closing second, the queue's
 * expected drain (bounded by --drain-timeout), and stopping and counting each mode.
 */
export function plannedSeconds(settings: LabSettings): number {
  const load = sineDurationMs(settings) / 1000;
  const startup = settings.databaseUrl ? STARTUP_S.postgres : STARTUP_S.pglite;
  // A drain is confirmed by two zero readings, the first at least 1 s after the load.
  const confirmS = (DRAIN_CONFIRM_AFTER_LOAD_MS + BACKLOG_POLL_MS) / 1000;
  const drain = Math.min(
    Math.max(settings.drainTimeoutMs, MIN_WATCH_AFTER_LOAD_MS) / 1000,
    Math.max(confirmS, expectedBacklogAtEnd(settings) / settings.processRps + BACKLOG_POLL_MS / 1000),
  );
  return startup + 2 * load + SHED_TAIL_S + drain + 2 * STOP_AND_READ_S;
}
