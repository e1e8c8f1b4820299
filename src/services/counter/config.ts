import { bool, type ConfigOf, type ConfigRule, int, matching, oneOf, readConfig } from '../../config/mod.js';
import {
  grpcGroup,
  grpcPortsDiffer,
  LIFECYCLE_GROUP,
  REDIS_GROUP,
  TELEMETRY_GROUP,
} from '../../platform/config/groups.js';
import { MODES } from './ports.js';

export const STORES = ['memory', 'redis'] as const;
export type StoreKind = (typeof STORES)[number];

/** Where `--store redis` goes when REDIS_URL is unset (the default). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A Redis key: no spaces or control characters, at most 512 characters. */
const KEY = /^[\x21-\x7e]{1,512}$/;

/** What `peaklab serve counter` reads: the platform's groups plus the counter's own fields. */
export const COUNTER_SPEC = {
  mode: oneOf('how increments are coordinated (see docs/counter.md)', MODES, 'mutex'),
  store: oneOf('where the total lives: memory (in-process) or redis (REDIS_URL)', STORES, 'memory'),
  ioUs: int(
    'memory store: simulated I/O per read in µs; it ends on the first 1 ms timer tick at or after it',
    200,
    { min: 0, max: 1_000_000 },
  ),
  ...grpcGroup({ port: 50055, metricsPort: 9464 }),
  allowUnsafe: bool('let --mode unsafe run: it loses updates on purpose'),
  ...REDIS_GROUP,
  redisKey: matching('the Redis key holding the total', 'peaklab:counter', (v) => KEY.test(v), 'a Redis key'),
  queueCapacity: int(
    'most increments waiting (inputq queue, mutex line, in flight otherwise); past it RESOURCE_EXHAUSTED',
    10_000,
    { min: 1, max: 1_000_000 },
  ),
  batchMax: int('inputq: most increments per owner batch (one store round trip)', 1024, {
    min: 1,
    max: 1_000_000,
  }),
  ...LIFECYCLE_GROUP,
  ...TELEMETRY_GROUP,
};

export type CounterConfig = ConfigOf<typeof COUNTER_SPEC>;

/** Rules across the fields of `serve counter`, checked with them (readConfig). */
export const COUNTER_RULES: ReadonlyArray<ConfigRule<CounterConfig>> = [
  (c) =>
    c.mode === 'unsafe' && !c.allowUnsafe
      ? '--mode unsafe loses updates on purpose; it runs only with --allow-unsafe'
      : undefined,
  grpcPortsDiffer,
];

/**
 * A counter config from values given in code (tests, the lab, the bench), checked exactly as the
 * CLI's flags are: each value goes through its field's parser (numbers as ms for durations), then
 * the rules. Throws one PeaklabError PL_CONFIG_INVALID (exit 2) listing every problem on one line.
 */
export function counterConfig(values: Partial<CounterConfig> = {}): CounterConfig {
  const flags: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const field = COUNTER_SPEC[key as keyof CounterConfig];
    flags[key] = field?.placeholder === '<duration>' ? `${String(value)}ms` : String(value);
  }
  return readConfig(COUNTER_SPEC, flags, {}, COUNTER_RULES);
}
