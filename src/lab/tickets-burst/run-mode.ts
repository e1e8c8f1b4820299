import { join } from 'node:path';
import { envWithout } from '../../config/mod.js';
import { type LoadResult, runLoad } from '../../load/mod.js';
import { openSqlReader } from '../../platform/postgres/reader.js';
import type { AckMode } from '../../services/tickets/config.js';
import { TICKETS_SPEC } from '../../services/tickets/config.js';
import { ticketComponent } from '../../services/tickets/pg/component.js';
import { spawnPeaklab } from '../../shared/child-service.js';
import { PeaklabError } from '../../shared/errors.js';
import type { BurstSettings } from './settings.js';

/** One reading of the service's own counters (GET /metrics), every 250 ms during a run. */
export interface MetricsSample {
  /** Seconds since the load's second 0. */
  readonly t: number;
  readonly received: number;
  readonly processed: number;
  readonly backlog: number;
}

/** What one mode's run leaves: the load's result, the samples, and the database read afterwards. */
export interface ModeRecording {
  readonly mode: AckMode;
  readonly load: LoadResult;
  readonly samples: readonly MetricsSample[];
  /** Per ticket: received_at and treated_at (null if still received), epoch ms. */
  readonly tickets: ReadonlyArray<readonly [number, number | null]>;
  readonly counts: { received: number; treated: number; error: number; lines: number; products: number };
  readonly warnings: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  /** True when the backlog reached 0 within the drain wait. */
  readonly drained: boolean;
  /** How the service's stop ended (0 = clean). */
  readonly exitCode: number | null;
}

const SAMPLE_MS = 250;

/** The rate profile: quiet, the burst, then two quiet steps to watch the drain. */
export function burstProfile(s: BurstSettings): string {
  return `steps:0,${s.peakRps},0,0@${s.stepMs / 1000}s`;
}

/**
 * Runs `serve tickets --ack <mode>` as a child under the burst, samples its metrics, waits for
 * the backlog to drain (up to drainWaitMs), stops it, then reads its database. `bodies` is the
 * body-list file both modes send.
 */
export async function runMode(
  mode: AckMode,
  s: BurstSettings,
  bodies: string,
  callerEnv: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): Promise<ModeRecording> {
  const schema = `tickets_burst_${mode.replace('-', '_')}_${process.pid}`;
  const dataDir = join(s.outDir, `pglite-${mode}`);
  const env = {
    ...envWithout(callerEnv, TICKETS_SPEC),
    LOG_LEVEL: 'warn',
    ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl, DB_SCHEMA: schema } : { DATA_DIR: dataDir }),
  };
  const where = s.databaseUrl ? { databaseUrl: s.databaseUrl, schema } : { dataDir };
  await dropSchema(s, schema);
  const svc = await spawnPeaklab(['serve', 'tickets', '--port', '0', '--ack', mode], {
    env,
    timeoutMs: 60_000,
  });
  if (!svc.url) throw new PeaklabError('PL_CHILD_FAILED', 'serve tickets: no url in its listening event');
  const url = svc.url;
  const raw: MetricsSample[] = [];
  const base = Date.now();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const m = await readMetrics(url).catch(() => undefined);
      if (m) raw.push({ t: (Date.now() - base) / 1000, ...m });
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  let load: LoadResult;
  let drained = false;
  let exitCode: number | null;
  try {
    load = await runLoad(
      {
        target: `${url}/ticket`,
        method: 'POST',
        headers: [['content-type', 'text/plain; charset=utf-8']],
        bodyList: bodies,
        rate: burstProfile(s),
        timeoutMs: 10_000,
        threads: 1,
      },
      { signal },
    );
    const until = Date.now() + s.drainWaitMs;
    while (Date.now() < until && !signal.aborted) {
      const m = await readMetrics(url).catch(() => undefined);
      if (m?.backlog === 0) {
        drained = true;
        break;
      }
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  } finally {
    sampling = false;
    await sampler;
    exitCode = await svc.stop('SIGTERM');
  }
  // On the load's clock: second 0 is the schedule's start.
  const shift = (Date.parse(load.startedAt) - base) / 1000;
  const samples = raw.map((m) => ({ ...m, t: m.t - shift }));
  const reader = await openSqlReader(where, dataDir, ticketComponent(s.databaseUrl ? schema : 'public'));
  try {
    const q = reader.db.client;
    const sch = `"${reader.db.schema}"`;
    const rows = await q.query<{ r: string; t: string | null }>(
      `SELECT (extract(epoch FROM received_at) * 1000)::float8 AS r,
              (extract(epoch FROM treated_at) * 1000)::float8 AS t FROM ${sch}.tickets`,
    );
    const [c] = (
      await q.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM ${sch}.tickets WHERE status = 'received') AS received,
                (SELECT count(*) FROM ${sch}.tickets WHERE status = 'treated') AS treated,
                (SELECT count(*) FROM ${sch}.tickets WHERE status = 'error') AS error,
                (SELECT count(*) FROM ${sch}.ticket_lines) AS lines,
                (SELECT count(*) FROM ${sch}.products) AS products`,
      )
    ).rows;
    const kinds = async (text: string) =>
      Object.fromEntries(
        (await q.query<{ kind: string; n: string }>(text)).rows.map((r) => [r.kind, Number(r.n)]),
      );
    const warnings = await kinds(
      `SELECT w->>'kind' AS kind, count(*) AS n FROM ${sch}.tickets, jsonb_array_elements(warnings) w
        GROUP BY 1 ORDER BY 2 DESC`,
    );
    const errors = await kinds(
      `SELECT error->>'kind' AS kind, count(*) AS n FROM ${sch}.tickets WHERE error IS NOT NULL
        GROUP BY 1 ORDER BY 2 DESC`,
    );
    return {
      mode,
      load,
      samples,
      tickets: rows.rows.map((r) => [Number(r.r), r.t === null ? null : Number(r.t)] as const),
      counts: {
        received: Number(c?.received),
        treated: Number(c?.treated),
        error: Number(c?.error),
        lines: Number(c?.lines),
        products: Number(c?.products),
      },
      warnings,
      errors,
      drained,
      exitCode,
    };
  } finally {
    // Everything is in results.json now: leave no schema behind in the caller's database.
    if (s.databaseUrl)
      await reader.db.client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await reader.close();
  }
}

/** A run interrupted before its cleanup must not leave rows to the next one with the same pid. */
async function dropSchema(s: BurstSettings, schema: string): Promise<void> {
  if (!s.databaseUrl) return;
  const reader = await openSqlReader({ databaseUrl: s.databaseUrl, schema: 'public' }, '', {
    component: 'tickets-burst-reset',
    steps: [],
  });
  try {
    await reader.db.client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await reader.close();
  }
}

async function readMetrics(url: string): Promise<Omit<MetricsSample, 't'>> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
  const text = await res.text();
  const value = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
  return {
    received: value('tickets_received_total'),
    processed:
      value('tickets_processed_total{status="treated"}') + value('tickets_processed_total{status="error"}'),
    backlog: value('tickets_backlog'),
  };
}
