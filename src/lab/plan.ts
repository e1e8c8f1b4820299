import { sineDurationMs, sineRate } from './sine.js';
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
/** The drain is seen at the next scrape, up to a second after the queue empties. */
const SCRAPE_S = 1;

/**
 * The orders still queued when the sine ends, for a queue that works `processRps` orders a second:
 * a fluid model of the backlog (arrivals minus capacity, never below zero), in 10 ms steps.
 */
export function expectedBacklogAtEnd(
  settings: Pick<LabSettings, 'minRps' | 'maxRps' | 'periodMs' | 'cycles' | 'processRps'>,
): number {
  const stepMs = 10;
  let backlog = 0;
  for (let t = stepMs / 2; t < sineDurationMs(settings); t += stepMs) {
    backlog = Math.max(0, backlog + ((sineRate(settings, t) - settings.processRps) * stepMs) / 1000);
  }
  return backlog;
}

/**
 * What the progress line shows as the total: start-up, both loads, shed's closing second, the queue's
 * expected drain (bounded by --drain-timeout), and stopping and counting each mode.
 */
export function plannedSeconds(settings: LabSettings): number {
  const load = sineDurationMs(settings) / 1000;
  const startup = settings.databaseUrl ? STARTUP_S.postgres : STARTUP_S.pglite;
  const drain = Math.min(
    settings.drainTimeoutMs / 1000,
    expectedBacklogAtEnd(settings) / settings.processRps + SCRAPE_S,
  );
  return startup + 2 * load + SHED_TAIL_S + drain + 2 * STOP_AND_READ_S;
}
