import { type FetchText, fetchMetricsText, parsePromText, startAlignedLoop } from '../scrape/mod.js';
import { describeError, isPeaklabError, PeaklabError } from '../shared/errors.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { type Derived, deriveSecond, type IndexedScrape, indexScrape } from './derive.js';
import { renderDashboardPage } from './page.js';
import type { ClientSecond } from './panels.js';
import { startPageServer } from './server.js';
import { type DashboardData, DashboardState, type PointsEvent, type TargetInfo } from './state.js';
import { parseTargets, type TargetSpec } from './targets.js';

/** Scrapes happen on whole seconds: the page's time axis is in seconds. */
const INTERVAL_MS = 1000;
/** A scrape gives up before the next one of its target is due (an overdue one would be skipped). */
const SCRAPE_TIMEOUT_MS = 900;
/** A rate needs the previous scrape to be at most this old; after a longer gap it restarts. */
const MAX_RATE_GAP_MS = 2.5 * INTERVAL_MS;
export const MIN_WINDOW_S = 10;
type ScrapeOutcome = { derived: Derived } | { error: string };
export const MAX_WINDOW_S = 3600;

export interface DashboardOptions {
  /** /metrics URLs (`http://host:port` gets `/metrics`), or `NAME=URL`. May be empty (client only). */
  targets: readonly TargetSpec[];
  /** Default 3000; 0 picks a free port (read it from `url`). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seconds of history kept and drawn, MIN_WINDOW_S..MAX_WINDOW_S; default 900 (15 min). */
  windowSeconds?: number;
  /** Default: silent. Target up/down and refused client data are logged (event field set). */
  logger?: Logger;
  /** Bound on one /metrics body, bytes (default 16 MiB). */
  maxBodyBytes?: number;
  /** Bound on the samples of one scrape (default 50,000). */
  maxSamples?: number;
  /** Bound on the series one target (or the client) keeps in the window (default 300). */
  maxSeriesPerTarget?: number;
  /** For tests: how a /metrics page is fetched. */
  fetchText?: FetchText;
}

export interface Dashboard {
  /** http://host:port/ of the live page. */
  readonly url: string;
  /**
   * Adds the load generator's numbers for one second to the page, on the targets' time axis.
   * `second` is Unix time in whole seconds (a run's second k is floor(runStartMs / 1000) + k);
   * a second outside the window is refused, counted and shown as a notice, never thrown.
   */
  pushClient(second: number, point: ClientSecond): void;
  /** The page's data now (what /state.json and a snapshot hold). */
  data(): DashboardData;
  /** Stops scraping, ends every page's stream and closes the server within a few seconds. */
  close(): Promise<void>;
}

function checkNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PeaklabError('PL_CONFIG_INVALID', `${name} ${value}: must be a whole number in ${min}..${max}`);
  }
}

/**
 * Starts the live dashboard: scrapes each target's /metrics on every wall-clock second, keeps the
 * last `windowSeconds` of the overview's panels in bounded memory, and serves the page.
 * An unreachable target is not an error (it is shown down until it answers).
 * @throws PeaklabError PL_CONFIG_INVALID for a bad target, window, limit, or a port in use.
 */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const targets = parseTargets(opts.targets);
  const windowSeconds = opts.windowSeconds ?? 900;
  const port = opts.port ?? 3000;
  const maxSamples = opts.maxSamples ?? 50_000;
  const maxSeries = opts.maxSeriesPerTarget ?? 300;
  checkNumber('window (seconds)', windowSeconds, MIN_WINDOW_S, MAX_WINDOW_S);
  checkNumber('port', port, 0, 65535);
  checkNumber('max samples', maxSamples, 1, 10_000_000);
  checkNumber('max series per target', maxSeries, 1, 100_000);
  const logger = opts.logger ?? silentLogger();
  const fetchText: FetchText =
    opts.fetchText ?? ((url, signal) => fetchMetricsText(url, { signal, maxBytes: opts.maxBodyBytes }));
  const state = new DashboardState({ targets, windowSeconds, maxSeriesPerGroup: maxSeries });
  const previous = new Map<string, IndexedScrape>();
  const inFlight = new Set<string>();
  let closed = false;
  let refusedLogged = false;

  const server = await startPageServer({
    host: opts.host ?? '127.0.0.1',
    port,
    livePage: () => renderDashboardPage(state.data('live', Date.now())),
    snapshotPage: () => renderDashboardPage(state.data('snapshot', Date.now())),
    stateJson: () => JSON.stringify(state.data('live', Date.now())),
  });

  async function scrape(t: TargetInfo, slotMs: number): Promise<ScrapeOutcome> {
    try {
      const text = await fetchText(t.url, AbortSignal.timeout(SCRAPE_TIMEOUT_MS));
      const samples = parsePromText(text, { maxSamples });
      if (samples.length === 0) {
        throw new PeaklabError('PL_TARGET_INVALID', `GET ${t.url}: no Prometheus samples in the answer`);
      }
      const cur = indexScrape(slotMs, samples);
      const derived = deriveSecond(previous.get(t.id), cur, MAX_RATE_GAP_MS);
      previous.set(t.id, cur);
      return { derived };
    } catch (err) {
      return { error: isPeaklabError(err) ? `${err.message} (${err.code})` : describeError(err) };
    }
  }

  // A new series needs the whole state on every page; sent at most once a second (on the clock's
  // tick), so a target that adds labels cannot make us serialise the window many times a second.
  // Points of a series a page does not know yet are skipped there; the next state carries them.
  let stateDue = false;
  function publish(changed: boolean, event: PointsEvent): void {
    stateDue ||= changed;
    server.broadcast('points', JSON.stringify(event));
  }
  function publishState(): void {
    if (!stateDue) return;
    stateDue = false;
    server.broadcast('init', JSON.stringify(state.data('live', Date.now())));
  }

  function record(t: TargetInfo, second: number, slotMs: number, outcome: ScrapeOutcome): void {
    const r = state.recordTarget(t.id, second, slotMs, outcome);
    if (r.wentDown !== undefined)
      logger.warn({ event: 'target_down', target: t.url, error: r.wentDown }, 'target down');
    if (r.cameUp) logger.info({ event: 'target_up', target: t.url }, 'target up');
    publish(r.changed, { second, values: r.values, groups: state.pageGroups() });
  }

  // Each target is scraped on its own: a slow one delays nobody else's points, and the loop never
  // waits, so it never skips a second because of a target.
  function tick(slotMs: number): Promise<void> {
    const second = Math.round(slotMs / 1000);
    state.advance(second);
    // Pruning walks every series: once in a while is enough to free what went out of the window.
    const pruned = second % 10 === 0 && state.prune();
    publishState();
    // The axis moves on even when no target answers: their silence is the gap.
    publish(pruned, { second, values: {}, groups: state.pageGroups(), notices: state.notices() });
    for (const t of targets) {
      if (inFlight.has(t.id)) continue;
      inFlight.add(t.id);
      void scrape(t, slotMs).then((outcome) => {
        inFlight.delete(t.id);
        if (!closed) record(t, second, slotMs, outcome);
      });
    }
    return Promise.resolve();
  }

  const loop = startAlignedLoop({ intervalMs: INTERVAL_MS, startedAt: 0, tick });
  logger.info(
    { event: 'listening', url: server.url, targets: targets.map((t) => t.url), windowSeconds },
    'dashboard listening',
  );
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    pushClient(second, point) {
      const nowMs = Date.now();
      const r = state.recordClient(second, point, nowMs);
      if (r.refused) {
        // Once: a caller with a unit mistake would otherwise log every second.
        if (!refusedLogged)
          logger.warn({ event: 'client_refused', second }, 'client second outside the window');
        refusedLogged = true;
        // Only the notice goes out: the refused second must not move any page's time axis.
        const at = state.newest ?? Math.floor(nowMs / 1000);
        publish(false, { second: at, values: {}, notices: state.notices() });
        return;
      }
      publish(r.changed, { second: Math.floor(second), values: r.values, notices: state.notices() });
    },
    data: () => state.data('live', Date.now()),
    close() {
      closing ??= (async () => {
        closed = true;
        loop.stop();
        await server.close();
        logger.info({ event: 'stopped' }, 'dashboard closed');
      })();
      return closing;
    },
  };
}
