import { type ConfigOf, duration, int, matching, oneOf, optionalUrl, str } from '../../config/mod.js';
import { isStreamName } from '../jetstream/names.js';
import { isIdentifier } from '../postgres/ident.js';
import type { Migrations } from '../postgres/migrate.js';
import type { SqlOptions } from '../postgres/open.js';
import { TRACING_GROUP } from '../telemetry/tracing-config.js';
import { INFLUX_GROUP } from './influx.js';

/**
 * The config field groups every service shares, read through the one config reader (src/config):
 * a service's spec is the groups it uses spread together with its own fields, so every service
 * spells and validates `--database-url` / `DATABASE_URL` the same way. Durations are held in ms.
 */

/** HTTP: where to listen. `port` differs per service (and per role: 8080 serve, 8081 worker). */
export function httpGroup(defaults: { port: number; portHelp?: string }) {
  return {
    port: int(defaults.portHelp ?? 'HTTP port (0 picks a free one)', defaults.port, { min: 0, max: 65535 }),
    listenHost: str('address to listen on (0.0.0.0 in a container)', '127.0.0.1'),
  };
}

/** POSTGRES: the database, or an embedded PGlite directory when no URL is set; every wait bounded. */
export function postgresGroup(defaults: { dataDir: string; schemaHelp?: string }) {
  return {
    databaseUrl: optionalUrl(
      'Postgres URL; unset = embedded PGlite in --data-dir',
      ['postgres', 'postgresql'],
      'postgres://127.0.0.1:5432/app',
    ),
    dbPool: int('Postgres connections; group commits use up to half of them at once', 8, {
      min: 2,
      max: 200,
    }),
    dataDir: str('PGlite data directory, used when DATABASE_URL is unset', defaults.dataDir),
    dbSchema: matching(
      defaults.schemaHelp ?? 'Postgres schema for the tables (created if missing)',
      'public',
      isIdentifier,
      'a plain SQL identifier',
    ),
    dbConnectTimeout: duration('how long opening a Postgres connection may take', 5000, { min: 1 }),
    dbQueryTimeout: duration(
      'how long one statement may run (Postgres statement_timeout; the client gives up soon after)',
      5000,
      { min: 1 },
    ),
  };
}

export type PostgresConfig = ConfigOf<ReturnType<typeof postgresGroup>>;

/** openSql's options from the POSTGRES group's values. */
export function sqlOptions(cfg: PostgresConfig, migrations: Migrations): SqlOptions {
  return {
    url: cfg.databaseUrl,
    dataDir: cfg.dataDir,
    schema: cfg.dbSchema,
    poolSize: cfg.dbPool,
    connectTimeoutMs: cfg.dbConnectTimeout,
    queryTimeoutMs: cfg.dbQueryTimeout,
    migrations,
  };
}

/** NATS: the JetStream server, or an in-process queue when no URL is set. */
export const NATS_GROUP = {
  natsUrl: optionalUrl(
    'NATS URL (JetStream); unset = an in-process queue',
    ['nats', 'tls'],
    'nats://127.0.0.1:4222',
  ),
};

/** A JetStream stream name field (see isStreamName); its dead letters go to `<name>_DLQ`. */
export function streamField(description: string, def: string) {
  return matching(description, def, isStreamName, 'a JetStream stream name (letters, digits, - and _)');
}

/** REDIS: the Redis server. */
export const REDIS_GROUP = {
  redisUrl: optionalUrl('Redis URL', ['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  redisTimeout: duration('how long one Redis command (or connecting) may take', 2000, { min: 1 }),
};

/** WORKERS: a worker pool draining a queue. */
export const WORKERS_GROUP = {
  workers: int('worker pool concurrency', 8, { min: 1, max: 10_000 }),
  maxAttempts: int('processing attempts before an item is dead-lettered', 4, { min: 1, max: 100 }),
  backoffMs: int('backoff before the 2nd attempt, in ms (doubles per attempt, capped at 10x)', 200, {
    min: 0,
    max: 600_000,
  }),
  holdTimeout: duration(
    'how long a worker may hold one item, retrying through a backend outage, before handing it back',
    60_000,
    { min: 1 },
  ),
};

/** LIFECYCLE: how long a graceful stop may take to drain what was acknowledged. */
export const LIFECYCLE_GROUP = {
  drainTimeout: duration(
    'graceful stop: time to drain acknowledged work; past it the rest is dropped, logged and the exit is 1',
    30_000,
    { min: 0 },
  ),
};

/** TELEMETRY: logs, and tracing (OpenTelemetry's standard OTEL_* variables; see docs/tracing.md). */
export const TELEMETRY_GROUP = {
  logLevel: oneOf('log level', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
  ...TRACING_GROUP,
  ...INFLUX_GROUP,
};

/**
 * GRPC: where a gRPC service listens, and the side port for its HTTP endpoints (GET /metrics,
 * /healthz, /readyz). `port` and `metricsPort` differ per service; 0 picks a free one.
 */
export function grpcGroup(defaults: { port: number; metricsPort: number }) {
  return {
    port: int('gRPC port (0 picks a free one)', defaults.port, { min: 0, max: 65535 }),
    metricsPort: int(
      'HTTP side port for /metrics, /healthz and /readyz (0 picks a free one)',
      defaults.metricsPort,
      {
        min: 0,
        max: 65535,
      },
    ),
    listenHost: str('address to listen on (0.0.0.0 in a container)', '127.0.0.1'),
  };
}

/** A rule for the GRPC group: the two ports must differ unless both are picked free (0). */
export function grpcPortsDiffer(c: { port: number; metricsPort: number }): string | undefined {
  return c.port !== 0 && c.port === c.metricsPort
    ? `--port and --metrics-port are both ${c.port}`
    : undefined;
}
