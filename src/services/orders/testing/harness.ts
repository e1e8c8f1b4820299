import { userInfo } from 'node:os';
import { Writable } from 'node:stream';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { pino } from 'pino';
import { readConfig } from '../../../config/mod.js';
import { type Logger, silentLogger } from '../../../shared/logger.js';
import { TEST_ENV } from '../../../testing/env.js';
import { uniqueName } from '../../../testing/services.js';
import { SERVE_SPEC, type ServeConfig } from '../config.js';
import { type RunningService, startOrders } from '../service.js';

/** Unique backends for one test: a Postgres schema and a JetStream stream nobody else uses. */
export interface TestBackends {
  readonly schema: string;
  readonly stream: string;
  readonly env: Record<string, string>;
  /** Drops the schema and deletes both streams. */
  cleanup(): Promise<void>;
}

export function testBackends(prefix: string): TestBackends {
  const schema = uniqueName(prefix);
  const stream = uniqueName(prefix).toUpperCase();
  return {
    schema,
    stream,
    env: {
      DATABASE_URL: TEST_ENV.databaseUrl,
      NATS_URL: TEST_ENV.natsUrl,
      DB_SCHEMA: schema,
      STREAM: stream,
      LOG_LEVEL: 'warn',
    },
    async cleanup() {
      await withPg(async (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      await withJsm(async (jsm) => {
        for (const name of [stream, `${stream}_DLQ`]) await jsm.streams.delete(name).catch(() => false);
      });
    },
  };
}

/** The service in this process, on port 0, with the test's backends and any overrides. */
export function startTestService(
  backends: TestBackends,
  overrides: Partial<Record<keyof ServeConfig, string>>,
  logger: Logger = silentLogger(),
): Promise<RunningService> {
  const cfg = readConfig(SERVE_SPEC, { port: '0', ...overrides }, backends.env);
  return startOrders(cfg, logger, true);
}

export async function withPg<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(TEST_ENV.databaseUrl);
  if (url.username === '') url.username = userInfo().username;
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * id -> the `attempts` column, one entry per row. The primary key makes an id unique, so this can
 * show a missing or an extra order, never a duplicate row: "processed once" is checked through
 * the processing counters (processedCount) instead.
 */
export async function storedOrders(schema: string): Promise<Map<string, number>> {
  return withPg(async (c) => {
    const { rows } = await c.query<{ id: string; attempts: number }>(
      `SELECT id, attempts FROM "${schema}".orders`,
    );
    return new Map(rows.map((r) => [r.id, r.attempts]));
  });
}

/** Ids in `want` that have no row. */
export function missingFrom(rows: ReadonlyMap<string, unknown>, want: Iterable<string>): string[] {
  const missing: string[] = [];
  for (const id of want) if (!rows.has(id)) missing.push(id);
  return missing;
}

/** Successful processing attempts, summed over processes: equals the orders when none ran twice. */
export async function processedCount(urls: readonly string[]): Promise<number> {
  let sum = 0;
  for (const u of urls) sum += metricValue(await scrape(u), 'orders_processing_seconds_count');
  return sum;
}

export async function withJsm<T>(fn: (jsm: JetStreamManager, js: JetStreamClient) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: TEST_ENV.natsUrl });
  try {
    return await fn(await jetstreamManager(nc), jetstream(nc));
  } finally {
    await nc.close();
  }
}

export interface PostResult {
  status: number;
  body: { result?: string; id?: string };
  headers: Headers;
}

export const GOOD_ORDER = { product_id: '33', count: '3', username: 'maksim.konovalov' };

export async function postOrder(
  url: string,
  body: unknown = GOOD_ORDER,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<PostResult> {
  const res = await fetch(`${url}/orders`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as PostResult['body'], headers: res.headers };
}

/** One metric's value from Prometheus text, e.g. metricValue(text, 'work_done_total{status="done"}'). */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return Number.NaN;
}

export async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** Polls until `check` is true or the deadline passes; returns the last result. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}

/** An info-level pino logger whose JSON lines land in `lines`, parsed. */
export function capturingLogger(lines: Array<Record<string, unknown>>): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}
