import { type ConfigOf, type ConfigRule, duration, int, matching } from '../../config/mod.js';
import {
  httpGroup,
  LIFECYCLE_GROUP,
  postgresGroup,
  REDIS_GROUP,
  TELEMETRY_GROUP,
} from '../../platform/config/groups.js';
import { INFLUX_RULES } from '../../platform/config/influx.js';

/** A Redis key prefix: it may not hold the `{`/`}` of the hash tag that follows it, nor spaces. */
const PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

const COUNT = { min: 1, max: 1_000_000 };
/** Durations in ms: from a second (or 100 ms) to a day. */
const UP_TO_A_DAY = { min: 1000, max: 86_400_000 };
const TTL_RANGE = { min: 100, max: 86_400_000 };

/** What `peaklab serve sale` reads: the platform's groups plus the sale's own fields. */
export const SALE_SPEC = {
  ...httpGroup({ port: 8081 }),
  items: int('items in each sale (fixed when a sale starts)', 10_000, COUNT),
  userLimit: int('most items one user may buy in a sale (fixed when a sale starts)', 10, COUNT),
  saleInterval: duration('a sale starts every this long, aligned to the clock', 3_600_000, UP_TO_A_DAY),
  checkoutTtl: duration('how long a checkout holds its item for the code', 120_000, TTL_RANGE),
  ...postgresGroup({
    dataDir: '.peaklab/sale-pglite',
    schemaHelp: 'Postgres schema for the sale tables (created if missing)',
  }),
  ...REDIS_GROUP,
  redisPrefix: matching(
    'prefix of every Redis key of the sale',
    'peaklab:sale',
    (v) => PREFIX.test(v),
    'a key prefix (1-64 letters, digits, ":", "_", "-", ".")',
  ),
  ...LIFECYCLE_GROUP,
  ...TELEMETRY_GROUP,
};

export type SaleConfig = ConfigOf<typeof SALE_SPEC>;

/** Rules across the fields of `serve sale`, checked with them (readConfig). */
export const SALE_RULES: ReadonlyArray<ConfigRule<SaleConfig>> = [
  ...INFLUX_RULES,
  // Sale ids are start instants in epoch seconds.
  (c) => (c.saleInterval % 1000 === 0 ? undefined : '--sale-interval: must be whole seconds'),
];
