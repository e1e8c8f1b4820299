import { type ConfigOf, type ConfigRule, duration, int, matching } from '../../config/mod.js';
import {
  httpGroup,
  LIFECYCLE_GROUP,
  postgresGroup,
  REDIS_GROUP,
  TELEMETRY_GROUP,
} from '../../platform/config/groups.js';

/** A Redis key prefix: it may not hold the `{`/`}` of the hash tag that follows it, nor spaces. */
const PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

/** What `peaklab serve sale` reads: the platform's groups plus the sale's own fields. */
export const SALE_SPEC = {
  ...httpGroup({ port: 8081 }),
  items: int('items in each sale (fixed when a sale starts)', 10_000, { min: 1, max: 1_000_000 }),
  userLimit: int('most items one user may buy per sale (fixed when a sale starts)', 10, {
    min: 1,
    max: 1_000_000,
  }),
  saleInterval: duration(
    'a new sale starts every this long, aligned to the clock (whole seconds)',
    3_600_000,
    {
      min: 1000,
      max: 86_400_000,
    },
  ),
  checkoutTtl: duration('how long a checkout reserves its item for the code holder', 120_000, {
    min: 100,
    max: 86_400_000,
  }),
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
  // Sale ids are start instants in epoch seconds.
  (c) => (c.saleInterval % 1000 === 0 ? undefined : '--sale-interval: must be whole seconds'),
];
