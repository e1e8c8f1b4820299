import { type ConfigOf, duration, int, str } from '../../config/mod.js';
import { httpGroup, postgresGroup, REDIS_GROUP, TELEMETRY_GROUP } from '../../platform/config/groups.js';

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
  redisPrefix: str(
    'prefix of every Redis key the sale uses (letters, digits, ":", "_", "-", ".")',
    'peaklab:sale',
  ),
  drainTimeout: duration('at shutdown: how long answering what is in flight may take', 10_000, {
    min: 100,
    max: 600_000,
  }),
  ...TELEMETRY_GROUP,
};

export type SaleConfig = ConfigOf<typeof SALE_SPEC>;

/** Closing connections after the drain may take this long (ms). */
export const CLOSE_BUDGET_MS = 3000;

/** The hard deadline for a whole shutdown (ms): the drain, the close budget and a margin. */
export function shutdownDeadlineMs(cfg: Pick<SaleConfig, 'drainTimeout'>): number {
  return cfg.drainTimeout + CLOSE_BUDGET_MS + 2000;
}

const PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

/**
 * The checks the field types cannot make, as messages for one PL_CONFIG_INVALID line (empty when
 * all is well): a sale interval of whole seconds (sale ids are start times in epoch seconds) and a
 * Redis prefix that cannot collide with the `{sale}` hash tag that follows it.
 */
export function saleConfigProblems(cfg: SaleConfig): string[] {
  const problems: string[] = [];
  if (cfg.saleInterval % 1000 !== 0) problems.push('--sale-interval: must be whole seconds');
  if (!PREFIX.test(cfg.redisPrefix)) {
    problems.push(`--redis-prefix: "${cfg.redisPrefix}" may hold only letters, digits, ":", "_", "-", "."`);
  }
  return problems;
}
