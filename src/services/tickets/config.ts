import { type ConfigOf, type ConfigRule, int, oneOf, optionalStr } from '../../config/mod.js';
import { httpGroup, LIFECYCLE_GROUP, postgresGroup, TELEMETRY_GROUP } from '../../platform/config/groups.js';
import { INFLUX_RULES } from '../../platform/config/influx.js';

/** How POST /ticket acknowledges (see docs/tickets.md). */
export const ACK_MODES = ['durable', 'after-parse'] as const;
export type AckMode = (typeof ACK_MODES)[number];

/** What `peaklab serve tickets` reads: the platform's groups plus the webhook's own fields. */
export const TICKETS_SPEC = {
  ...httpGroup({ port: 9098 }),
  secret: optionalStr(
    'HMAC-SHA256 key: every POST /ticket must carry X-Signature: sha256=<hex HMAC of the body> (unset = no check)',
    '<secret>',
  ),
  ack: oneOf(
    'durable: 202 once the raw body is committed, parsed behind it; after-parse: parse and upsert before the 202 (the seed)',
    ACK_MODES,
    'durable',
  ),
  workers: int('parsing workers: each claims a batch of received tickets in one transaction', 2, {
    min: 1,
    max: 64,
  }),
  intakeBuffer: int(
    'MiB of ticket bodies waiting for their commit at most; past it POST /ticket answers 503 + Retry-After',
    64,
    { min: 1, max: 4096 },
  ),
  claimBatch: int('tickets one worker claims, parses and records per transaction', 100, {
    min: 1,
    max: 5000,
  }),
  ...postgresGroup({
    dataDir: '.peaklab/tickets-pglite',
    schemaHelp: 'Postgres schema for the tickets tables (created if missing)',
  }),
  ...LIFECYCLE_GROUP,
  ...TELEMETRY_GROUP,
};

export type TicketsConfig = ConfigOf<typeof TICKETS_SPEC>;

/** Rules across the fields of `serve tickets`, checked with them (readConfig). */
export const TICKETS_RULES: ReadonlyArray<ConfigRule<TicketsConfig>> = [
  ...INFLUX_RULES,
  // The tickets statements quote the schema as a lowercase identifier (see pg/migrations.ts).
  (c) =>
    /^[a-z_][a-z0-9_]{0,62}$/.test(c.dbSchema)
      ? undefined
      : '--db-schema: the tickets tables need a lowercase name ([a-z_][a-z0-9_]*)',
  // One worker's connection is held for a whole claim; leave the rest for the intake and reads.
  (c) =>
    c.databaseUrl !== undefined && c.workers > c.dbPool - 2
      ? `--workers ${c.workers}: at most --db-pool minus 2 (${c.dbPool - 2}), so the intake keeps connections`
      : undefined,
];
