import { join, resolve } from 'node:path';
import { bool, collectConfig, duration, flagName, int, optionalStr, type Spec } from '../../config/mod.js';
import { PeaklabError } from '../../shared/errors.js';
import { durationText, type LabEnvironment, labEnvName } from '../config.js';

/** The defaults --quick changes: a tenth of the items at a lower rate (a run well under 90 s). */
const FULL = { items: 10_000, rate: 500 };
const QUICK = { items: 1_000, rate: 200 };

function valueSpec(quick: boolean) {
  const d = quick ? QUICK : FULL;
  return {
    out: optionalStr('output directory (default ./lab-out/flash-sale-<timestamp>)', '<dir>'),
    items: int('items in the sale', d.items, { min: 10, max: 1_000_000 }),
    userLimit: int('most items one user may buy', 10, { min: 1, max: 1_000 }),
    rate: int('arriving shoppers (flows) per second, from the sale’s start', d.rate, {
      min: 1,
      max: 100_000,
    }),
    duration: duration(
      'how long shoppers keep arriving (default: long enough for about 2 flows per item, plus 3 s)',
      0,
      { min: 0, max: 3_600_000 },
    ),
    seed: int('seed of the shoppers’ choices (default: random)', 0, { min: 0, max: 2 ** 31 - 1 }),
  } satisfies Spec;
}

export const FLASH_SWITCHES = {
  quick: bool(
    `a short run (under 90 s) for tests and a first look: ${QUICK.items} items at ${QUICK.rate} flows/s`,
  ),
  open: bool('open the report in the default browser when one is available'),
} satisfies Spec;

export interface FlashSaleSettings {
  outDir: string;
  items: number;
  userLimit: number;
  /** Flows per second. */
  rate: number;
  /** How long flows arrive (ms). */
  durationMs: number;
  seed: number;
  quick: boolean;
  open: boolean;
  /** Set: the service uses Postgres; unset: embedded PGlite. */
  databaseUrl?: string;
  /** Set: the service uses Redis; unset: its in-process store. */
  redisUrl?: string;
}

/** The command's options as --help shows them. */
export function flashSaleOptions(): { flags: string; description: string }[] {
  const full = valueSpec(false);
  const quick: Spec = valueSpec(true);
  const values = Object.entries(full).map(([key, field]) => {
    const def = field.default;
    const q = quick[key]?.default;
    const shown = (v: unknown) =>
      field.placeholder === '<duration>' && typeof v === 'number' ? durationText(v) : String(v);
    const defaults =
      def === undefined || def === 0
        ? ''
        : ` (default ${shown(def)}${q === def ? '' : `; --quick: ${shown(q)}`})`;
    return {
      flags: `--${flagName(key)} ${field.placeholder}`,
      description: `${field.description}${defaults}; env ${labEnvName(key)}`,
    };
  });
  const switches = Object.entries(FLASH_SWITCHES).map(([key, field]) => ({
    flags: `--${flagName(key)}`,
    description: `${field.description}; env ${labEnvName(key)}`,
  }));
  return [...values, ...switches];
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** Long enough for the sale to sell out: about 2 arriving flows per item, plus 3 s (ms). */
export function defaultDurationMs(items: number, rate: number): number {
  return Math.ceil((2 * items) / rate + 3) * 1000;
}

/**
 * Reads the lab's settings once, from flags then LAB_ env vars (every problem reported together,
 * PL_CONFIG_INVALID). --quick changes defaults, never a value the user gave.
 */
export function readFlashSaleSettings(
  flags: Readonly<Record<string, unknown>>,
  { env, cwd, now }: LabEnvironment,
): FlashSaleSettings {
  const problems: string[] = [];
  const switches = collectConfig(FLASH_SWITCHES, flags, env, problems, labEnvName);
  const cfg = collectConfig(valueSpec(switches.quick), flags, env, problems, labEnvName);
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return {
    outDir: resolve(cwd, cfg.out ?? join('lab-out', `flash-sale-${stamp}`)),
    items: cfg.items,
    userLimit: cfg.userLimit,
    rate: cfg.rate,
    durationMs: cfg.duration > 0 ? cfg.duration : defaultDurationMs(cfg.items, cfg.rate),
    seed: cfg.seed > 0 ? cfg.seed : Math.floor(Math.random() * (2 ** 31 - 1)) + 1,
    quick: switches.quick,
    open: switches.open,
    databaseUrl: nonEmpty(env.DATABASE_URL),
    redisUrl: nonEmpty(env.REDIS_URL),
  };
}
