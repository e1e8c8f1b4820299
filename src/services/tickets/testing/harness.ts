/**
 * The tickets service for one test: its own Postgres schema, the service in process (port 0) or
 * as a child, and helpers to send tickets and read what was stored.
 */
import { readConfig } from '../../../config/mod.js';
import { type Logger, silentLogger } from '../../../shared/logger.js';
import { withPg } from '../../../testing/backends.js';
import { TEST_ENV } from '../../../testing/env.js';
import { uniqueName } from '../../../testing/services.js';
import { startTcpProxy, type TcpProxy } from '../../../testing/tcp-proxy.js';
import { waitFor } from '../../../testing/wait.js';
import { TICKETS_RULES, TICKETS_SPEC, type TicketsConfig } from '../config.js';
import { type RunningTickets, startTickets } from '../service.js';

export type { RunningTickets };

export interface TicketBackends {
  readonly schema: string;
  /** DATABASE_URL, DB_SCHEMA and LOG_LEVEL=warn for a child service. */
  readonly env: Record<string, string>;
  /** Drops the schema. */
  cleanup(): Promise<void>;
}

export function ticketBackends(name: string, databaseUrl = TEST_ENV.databaseUrl): TicketBackends {
  const schema = uniqueName(name);
  return {
    schema,
    env: { DATABASE_URL: databaseUrl, DB_SCHEMA: schema, LOG_LEVEL: 'warn' },
    async cleanup() {
      await withPg((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}

/** The service in this process on port 0, with the test's backends and `overrides` as flags. */
export function startTestTickets(
  backends: TicketBackends,
  overrides: Partial<Record<keyof TicketsConfig, string>> = {},
  logger: Logger = silentLogger(),
): Promise<RunningTickets> {
  const cfg = readConfig(TICKETS_SPEC, { port: '0', ...overrides }, backends.env, TICKETS_RULES);
  return startTickets(cfg, logger);
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

/** POST /ticket with `body` and `headers`; the JSON answer (or `{}` when it is not JSON). */
export async function postTicket(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${url}/ticket`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...headers },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, headers: res.headers, json: await jsonOf(res) };
}

/** GET `path`; the JSON answer. */
export async function getJson(url: string, path: string): Promise<Answer> {
  const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(15_000) });
  return { status: res.status, headers: res.headers, json: await jsonOf(res) };
}

async function jsonOf(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export interface StoredCounts {
  readonly rows: number;
  readonly received: number;
  readonly treated: number;
  readonly error: number;
}

/** Counts by status in the test's schema, read straight from Postgres. */
export function storedCounts(schema: string): Promise<StoredCounts> {
  return withPg(async (c) => {
    const { rows } = await c.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM "${schema}".tickets GROUP BY status`,
    );
    const by = new Map(rows.map((r) => [r.status, Number(r.n)]));
    const received = by.get('received') ?? 0;
    const treated = by.get('treated') ?? 0;
    const error = by.get('error') ?? 0;
    return { rows: received + treated + error, received, treated, error };
  });
}

/** Waits until no ticket of the schema is `received` (at most `ms`); true when none is left. */
export function waitSettled(schema: string, ms = 20_000): Promise<boolean> {
  return waitFor(async () => (await storedCounts(schema)).received === 0, ms, 100);
}

/** A test's backends reached through a TCP proxy in front of the real Postgres, to stall or cut it. */
export async function proxiedBackends(name: string): Promise<{ backends: TicketBackends; proxy: TcpProxy }> {
  const real = new URL(TEST_ENV.databaseUrl);
  const proxy = await startTcpProxy(real.hostname, Number(real.port || 5432));
  const url = new URL(real.href);
  url.port = String(proxy.port);
  const viaProxy = ticketBackends(name, url.href);
  // withPg (in cleanup) goes to the real server, not through the proxy, which may be cut by then.
  return { proxy, backends: viaProxy };
}
