import { int, oneOf, optionalStr, str } from '../../config/mod.js';

/**
 * The config field groups every service shares, read through the one config reader (src/config):
 * a service's spec is the groups it uses spread together with its own fields, so every service
 * spells `--database-url` / `DATABASE_URL` the same way and validates it the same way.
 */

/** HTTP: where to listen. `port` differs per service (and per role: 8080 serve, 8081 worker). */
export function httpGroup(defaults: { port: number; portHelp?: string }) {
  return {
    port: int(defaults.portHelp ?? 'HTTP port (0 picks a free one)', defaults.port, { min: 0, max: 65535 }),
    listenHost: str('address to listen on (0.0.0.0 in a container)', '127.0.0.1'),
  };
}

/** POSTGRES: the database, or an embedded PGlite directory when no URL is set. */
export function postgresGroup(defaults: { dataDir: string; schemaHelp?: string }) {
  return {
    databaseUrl: optionalStr('Postgres URL; unset = embedded PGlite in --data-dir', '<url>'),
    dbPool: int('Postgres connections; group commits use up to half of them at once', 8, {
      min: 2,
      max: 200,
    }),
    dataDir: str('PGlite data directory, used when DATABASE_URL is unset', defaults.dataDir),
    dbSchema: str(defaults.schemaHelp ?? 'Postgres schema for the tables (created if missing)', 'public'),
  };
}

/** NATS: the JetStream server, or an in-process queue when no URL is set. */
export const NATS_GROUP = {
  natsUrl: optionalStr('NATS URL (JetStream); unset = an in-process queue', '<url>'),
};

/** REDIS: the Redis server. */
export const REDIS_GROUP = {
  redisUrl: optionalStr('Redis URL, e.g. redis://127.0.0.1:6379', '<url>'),
};

/** TELEMETRY: logs (and, with tracing, its exporters). */
export const TELEMETRY_GROUP = {
  logLevel: oneOf('log level', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
};
