import type { AckMode } from '../../services/tickets/config.js';
import { maxOf, percentileSorted, round, roundOrNull } from '../stats.js';
import type { ModeRecording } from './run-mode.js';
import type { BurstSettings } from './settings.js';

/** One second of one mode, on the load's clock (second 0 = the schedule's start). */
export interface BurstSecond {
  readonly second: number;
  readonly target: number;
  readonly started: number;
  /** Responses completed in this second with 202. */
  readonly acknowledged: number;
  /** HTTP latency from the intended start (no coordinated omission); null without responses. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Tickets whose row was committed (received_at) in this second, from Postgres. */
  readonly stored: number;
  /** Tickets parsed and recorded (treated_at) in this second, from Postgres. */
  readonly treated: number;
  /** Stored minus treated since the start, at the end of this second: the backlog. */
  readonly backlog: number;
  /** tickets_backlog as the service reported it (last scrape in this second); null without one. */
  readonly backlogScraped: number | null;
}

export interface ModeResult {
  readonly mode: AckMode;
  readonly http: {
    readonly started: number;
    readonly acknowledged: number;
    readonly statuses: Readonly<Record<string, number>>;
    readonly transportErrors: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    /** The worst per-second p99 of the run. */
    readonly worstSecondP99Ms: number | null;
    /**
     * p50 of the service time: from the moment the request was actually sent, so without the
     * wait in the load generator's own queue (the p50 above counts from the intended start).
     */
    readonly serviceP50Ms: number;
  };
  readonly seconds: readonly BurstSecond[];
  readonly db: ModeRecording['counts'] & { readonly rows: number };
  readonly warnings: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  /** treated_at - received_at over the treated tickets (ms). */
  readonly lag: {
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
    readonly maxMs: number | null;
  };
  readonly peakBacklog: number;
  readonly peakBacklogSecond: number | null;
  /** Seconds from the end of the burst step to the last ticket treated (0 when none waited). */
  readonly drainAfterBurstS: number | null;
  /** Tickets treated per second over the seconds that ended with a backlog. */
  readonly treatRateWhileBackloggedPerS: number | null;
  readonly drained: boolean;
  readonly exitCode: number | null;
  /** The counts that must agree, each checked. */
  readonly identities: Readonly<Record<string, boolean>>;
}

/** One mode's recording as the numbers the report shows and results.json keeps. */
export function analyzeMode(rec: ModeRecording, s: BurstSettings): ModeResult {
  const start = Date.parse(rec.load.startedAt);
  const sec = (ms: number) => Math.max(0, Math.floor((ms - start) / 1000));
  const lastTreated = Math.max(0, ...rec.tickets.map(([r, t]) => sec(t ?? r)));
  const length = Math.max(rec.load.timeline.length, lastTreated + 1);
  const stored = new Array<number>(length).fill(0);
  const treated = new Array<number>(length).fill(0);
  const lags: number[] = [];
  for (const [r, t] of rec.tickets) {
    stored[sec(r)] = (stored[sec(r)] ?? 0) + 1;
    if (t !== null) {
      treated[sec(t)] = (treated[sec(t)] ?? 0) + 1;
      lags.push(t - r);
    }
  }
  lags.sort((a, b) => a - b);
  let backlog = 0;
  const seconds: BurstSecond[] = [];
  for (let i = 0; i < length; i++) {
    const l = rec.load.timeline[i];
    backlog += (stored[i] ?? 0) - (treated[i] ?? 0);
    const scraped = rec.samples.filter((m) => m.t >= i && m.t < i + 1).at(-1);
    seconds.push({
      second: i,
      target: l?.target ?? 0,
      started: l?.started ?? 0,
      acknowledged: l?.status['202'] ?? 0,
      p50Ms: l && l.completed > 0 ? round(l.p50Ms, 2) : null,
      p99Ms: l && l.completed > 0 ? round(l.p99Ms, 2) : null,
      stored: stored[i] ?? 0,
      treated: treated[i] ?? 0,
      backlog,
      backlogScraped: scraped?.backlog ?? null,
    });
  }
  const peak = seconds.reduce((a, b) => (b.backlog > a.backlog ? b : a), seconds[0] as BurstSecond);
  const burstEnd = (2 * s.stepMs) / 1000;
  const backlogged = seconds.filter((x) => x.backlog > 0);
  const rows = rec.counts.received + rec.counts.treated + rec.counts.error;
  const sum = rec.load.summary;
  const statuses = Object.fromEntries(
    Object.entries(
      rec.load.timeline.reduce<Record<string, number>>((acc, x) => {
        for (const [k, v] of Object.entries(x.status)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
    ).sort(),
  );
  const acknowledged = statuses['202'] ?? 0;
  const transportErrors = rec.load.timeline.reduce(
    (n, x) => n + Object.values(x.errors).reduce((a, b) => a + b, 0),
    0,
  );
  return {
    mode: rec.mode,
    http: {
      started: sum.started,
      acknowledged,
      statuses,
      transportErrors,
      p50Ms: round(rec.load.latency.percentiles.p50 ?? 0, 2),
      p99Ms: round(rec.load.latency.percentiles.p99 ?? 0, 2),
      maxMs: round(rec.load.latency.maxMs, 2),
      worstSecondP99Ms: maxOf(seconds.map((x) => x.p99Ms)),
      serviceP50Ms: round(rec.load.serviceTime.percentiles.p50 ?? 0, 2),
    },
    seconds,
    db: { ...rec.counts, rows },
    warnings: rec.warnings,
    errors: rec.errors,
    lag: {
      p50Ms: roundOrNull(percentileSorted(lags, 50), 1),
      p99Ms: roundOrNull(percentileSorted(lags, 99), 1),
      maxMs: roundOrNull(lags.at(-1) ?? null, 1),
    },
    peakBacklog: peak.backlog,
    peakBacklogSecond: peak.backlog > 0 ? peak.second : null,
    drainAfterBurstS: rec.tickets.length === 0 ? null : round(Math.max(0, lastTreated + 1 - burstEnd), 0),
    treatRateWhileBackloggedPerS:
      backlogged.length === 0
        ? null
        : round(backlogged.reduce((n, x) => n + x.treated, 0) / backlogged.length, 0),
    drained: rec.drained,
    exitCode: rec.exitCode,
    identities: {
      // Every 202 is a stored row, and (without retries or timeouts) every row got its 202.
      acknowledgedAreStored: acknowledged <= rows,
      storedWereAcknowledged: transportErrors > 0 || rows === acknowledged,
      // One outcome per request: the load generator's own accounting.
      oneOutcomePerRequest: sum.started === sum.ok + sum.failed + (sum.unfinished ?? 0),
      rowsAddUp: rows === seconds.reduce((n, x) => n + x.stored, 0),
      settled: rec.counts.received === 0,
    },
  };
}
