import { PeaklabError } from '../../shared/errors.js';
import { MODES, type Mode } from './ports.js';

export const STORES = ['memory', 'redis'] as const;
export type StoreKind = (typeof STORES)[number];

/**
 * Everything `peaklab serve counter` will take. Validated once, at start-up (counterConfig):
 * the CLI will map its flags onto this object through the platform's config groups.
 */
export interface CounterServerConfig {
  /** mutex | inputq | atomic | unsafe (see strategy.ts). */
  mode: Mode;
  /** memory (embedded, not durable) | redis (the key `redisKey` on `redisUrl`). */
  store: StoreKind;
  /** memory store: simulated I/O per read, microseconds (0..1,000,000). Ignored by redis. */
  ioUs: number;
  /** gRPC address. `port` 0 picks a free one. */
  host: string;
  port: number;
  /** Side port for GET /metrics (0 = free). */
  metricsPort: number;
  /** `unsafe` loses updates on purpose; it runs only with this set. */
  allowUnsafe: boolean;
  redisUrl: string;
  redisKey: string;
  /** Bound on every Redis command and on connecting, ms. */
  redisTimeoutMs: number;
  /** Most increments waiting (inputq queue; mutex line; in flight otherwise); past it, RESOURCE_EXHAUSTED. */
  queueCapacity: number;
  /** inputq: most increments per batch. */
  batchMax: number;
  /** Graceful stop: drain calls in flight and the queue within this many ms, then force. */
  shutdownDeadlineMs: number;
}

/** The defaults: gRPC on 50055, metrics on 9464, 200 µs of simulated I/O. */
export const COUNTER_DEFAULTS: Omit<CounterServerConfig, 'mode'> = Object.freeze({
  store: 'memory',
  ioUs: 200,
  host: '127.0.0.1',
  port: 50055,
  metricsPort: 9464,
  allowUnsafe: false,
  redisUrl: 'redis://127.0.0.1:6379',
  redisKey: 'peaklab:counter',
  redisTimeoutMs: 2000,
  queueCapacity: 10_000,
  batchMax: 1024,
  shutdownDeadlineMs: 10_000,
});

function intIn(problems: string[], name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max)
    problems.push(`${name} must be an integer in ${min}..${max}, got ${v}`);
}

/**
 * Fills in the defaults and checks every field. Throws one PeaklabError PL_CONFIG_INVALID (exit 2)
 * listing every problem on one line, e.g. "counter: mode unsafe loses updates on purpose; it runs
 * only with allowUnsafe (--allow-unsafe)".
 */
export function counterConfig(input: Partial<CounterServerConfig> & { mode: Mode }): CounterServerConfig {
  const c: CounterServerConfig = { ...COUNTER_DEFAULTS, ...input };
  const problems: string[] = [];
  if (!MODES.includes(c.mode)) problems.push(`mode must be one of ${MODES.join('|')}, got ${String(c.mode)}`);
  if (!STORES.includes(c.store))
    problems.push(`store must be one of ${STORES.join('|')}, got ${String(c.store)}`);
  if (c.mode === 'unsafe' && !c.allowUnsafe) {
    problems.push('mode unsafe loses updates on purpose; it runs only with allowUnsafe (--allow-unsafe)');
  }
  intIn(problems, 'ioUs', c.ioUs, 0, 1_000_000);
  intIn(problems, 'port', c.port, 0, 65_535);
  intIn(problems, 'metricsPort', c.metricsPort, 0, 65_535);
  if (c.port !== 0 && c.port === c.metricsPort) problems.push(`port and metricsPort are both ${c.port}`);
  intIn(problems, 'redisTimeoutMs', c.redisTimeoutMs, 1, 600_000);
  intIn(problems, 'queueCapacity', c.queueCapacity, 1, 1_000_000);
  intIn(problems, 'batchMax', c.batchMax, 1, 1_000_000);
  intIn(problems, 'shutdownDeadlineMs', c.shutdownDeadlineMs, 0, 600_000);
  if (typeof c.host !== 'string' || c.host === '') problems.push('host must not be empty');
  if (typeof c.redisKey !== 'string' || c.redisKey === '' || c.redisKey.length > 512) {
    problems.push('redisKey must be 1..512 characters');
  }
  if (c.store === 'redis') {
    let url: URL | undefined;
    try {
      url = new URL(c.redisUrl);
    } catch {
      // reported below
    }
    if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
      problems.push(`redisUrl must be a redis:// or rediss:// URL, got ${JSON.stringify(c.redisUrl)}`);
    }
  }
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', `counter: ${problems.join('; ')}`);
  return c;
}
