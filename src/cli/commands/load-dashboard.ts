import { type ClientSecond, startDashboard } from '../../dashboard/mod.js';
import { isOkStatus, okTable } from '../../load/ok-status.js';
import type { SecondStats } from '../../load/types.js';
import type { Logger } from '../../shared/logger.js';

/** `peaklab load --dashboard`'s page: the run's seconds pushed onto the live dashboard. */
export interface LoadDashboard {
  readonly url: string;
  /** Hands one finished second of the run to the page (the run's onSecond). Never throws. */
  onSecond(s: SecondStats): void;
  close(): Promise<void>;
}

export interface LoadDashboardOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Services whose /metrics go on the same page and time axis (`--dashboard-target`: URL or NAME=URL). */
  readonly targets: readonly string[];
  /** The run's `--ok-status` and protocol: which statuses are failures ("status 500" on the page). */
  readonly okStatus: string | undefined;
  readonly protocol: 'http' | 'grpc';
  readonly logger?: Logger;
}

/**
 * One second of the run as the page charts it: target rate, started, p50/p99 from the intended
 * start (null when nothing completed), errors by kind (transport errors by their kind, answers
 * whose status is not ok as `status N`), and the scheduler's largest lag in that second.
 */
export function clientSecond(s: SecondStats, ok: (status: string) => boolean): ClientSecond {
  const errorsByKind: Record<string, number> = { ...s.errors };
  for (const [status, n] of Object.entries(s.status)) {
    if (!ok(status)) errorsByKind[`status ${status}`] = (errorsByKind[`status ${status}`] ?? 0) + n;
  }
  return {
    targetRate: s.target,
    started: s.started,
    p50: s.completed > 0 ? s.p50Ms : null,
    p99: s.completed > 0 ? s.p99Ms : null,
    errorsByKind,
    schedulingLag: s.lagMaxMs ?? null,
  };
}

/**
 * Starts the live page for a load run (see docs/dashboard.md). The run's second k is placed at Unix
 * second floor(start / 1000) + k, where `start` is estimated when second 0 closes (a second closes
 * on its wall-clock boundary, so the estimate is within the engine's timer delay); the targets are
 * scraped on whole wall-clock seconds, so client and server share one axis to within a second.
 * @throws PeaklabError PL_CONFIG_INVALID for a bad target or a port in use (before any load).
 */
export async function startLoadDashboard(opts: LoadDashboardOptions): Promise<LoadDashboard> {
  const dashboard = await startDashboard({
    targets: opts.targets,
    port: opts.port,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const table = okTable(opts.okStatus, opts.protocol);
  const ok = (status: string) => isOkStatus(table, opts.protocol, status);
  let firstUnixSecond: number | undefined;
  return {
    url: dashboard.url,
    onSecond(s) {
      try {
        firstUnixSecond ??= Math.floor((Date.now() - (s.second + 1) * 1000) / 1000);
        dashboard.pushClient(firstUnixSecond + s.second, clientSecond(s, ok));
      } catch {
        // The page is a view: it never breaks the run.
      }
    },
    close: () => dashboard.close(),
  };
}
