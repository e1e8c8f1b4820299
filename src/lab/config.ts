import { join, resolve } from 'node:path';
import {
  bool,
  collectConfig,
  duration,
  envName,
  flagName,
  int,
  optionalStr,
  type Spec,
} from '../config/mod.js';
import { PeaklabError } from '../shared/errors.js';
import type { LabSettings } from './types.js';

/** The defaults --quick changes: a faster sine and a shorter wait for the drain (a ~40 s run). */
const DEFAULTS = { period: 60_000, drainTimeout: 60_000 };
const QUICK_DEFAULTS = { period: 6_000, drainTimeout: 15_000 };

/** The flags that take a value; `--quick` and `--open` are switches, read from LAB_SWITCHES. */
function valueSpec(quick: boolean) {
  const d = quick ? QUICK_DEFAULTS : DEFAULTS;
  return {
    out: optionalStr('output directory (default ./lab-out/smooth-corners-<timestamp>)', '<dir>'),
    period: duration('period of the sine', d.period, { min: 2_000, max: 3_600_000 }),
    cycles: int('sine cycles per mode', 2, { min: 1, max: 100 }),
    min: int('lowest rate of the sine (requests/s)', 0, { min: 0, max: 100_000 }),
    max: int('highest rate of the sine (requests/s)', 100, { min: 1, max: 100_000 }),
    rpsLimit: int('the shed threshold (requests/s)', 50, { min: 1, max: 100_000 }),
    processRps: int("the backend's capacity (orders/s)", 50, { min: 1, max: 100_000 }),
    drainTimeout: duration(
      'how long queue mode waits for the backlog to drain after the load (at least the 2 s that confirming a drain takes)',
      d.drainTimeout,
      {
        min: 0,
        max: 3_600_000,
      },
    ),
  } satisfies Spec;
}

/** "60s" rather than 60000: what a user would type. */
export function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export const LAB_SWITCHES = {
  quick: bool(
    `a ~40 s run for tests and a first look: period ${durationText(QUICK_DEFAULTS.period)}, ` +
      `drain timeout ${durationText(QUICK_DEFAULTS.drainTimeout)}`,
  ),
  open: bool('open the report in the default browser when one is available'),
} satisfies Spec;

/** Env vars carry a LAB_ prefix: bare OUT, MIN, MAX or PERIOD are too common in CI to be read silently. */
export function labEnvName(key: string): string {
  return `LAB_${envName(key)}`;
}

export interface LabOption {
  flags: string;
  description: string;
}

/** The command's options as --help shows them: defaults as typed, --quick's own, and the env var. */
export function labOptions(): LabOption[] {
  const full = valueSpec(false);
  const quick: Spec = valueSpec(true);
  const shown = (v: unknown, placeholder: string) =>
    placeholder === '<duration>' && typeof v === 'number' ? durationText(v) : String(v);
  const values = Object.entries(full).map(([key, field]) => {
    const def = field.default;
    const quickDef = quick[key]?.default;
    const quickText = quickDef === def ? '' : `; --quick: ${shown(quickDef, field.placeholder)}`;
    const defaults = def === undefined ? '' : ` (default ${shown(def, field.placeholder)}${quickText})`;
    return {
      flags: `--${flagName(key)} ${field.placeholder}`,
      description: `${field.description}${defaults}; env ${labEnvName(key)}`,
    };
  });
  const switches = Object.entries(LAB_SWITCHES).map(([key, field]) => ({
    flags: `--${flagName(key)}`,
    description: `${field.description}; env ${labEnvName(key)}`,
  }));
  return [...values, ...switches];
}

export interface LabEnvironment {
  /** The CLI's environment: the LAB_ vars, DATABASE_URL and NATS_URL. */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now: Date;
}

/** lab-out/smooth-corners-20260123-184501 */
export function defaultOutDir(cwd: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join(cwd, 'lab-out', `smooth-corners-${stamp}`);
}

/**
 * Reads the experiment's settings once, from flags then LAB_ env vars, every problem reported
 * together. `--quick` changes the defaults (a faster sine), never a value the user gave.
 */
export function readLabSettings(
  flags: Readonly<Record<string, unknown>>,
  { env, cwd, now }: LabEnvironment,
): LabSettings {
  const problems: string[] = [];
  const switches = collectConfig(LAB_SWITCHES, flags, env, problems, labEnvName);
  const cfg = collectConfig(valueSpec(switches.quick), flags, env, problems, labEnvName);
  if (problems.length === 0 && cfg.min >= cfg.max) {
    problems.push(`--min (${cfg.min}) must be below --max (${cfg.max})`);
  }
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
  return {
    outDir: resolve(cwd, cfg.out ?? defaultOutDir(cwd, now)),
    periodMs: cfg.period,
    cycles: cfg.cycles,
    minRps: cfg.min,
    maxRps: cfg.max,
    rpsLimit: cfg.rpsLimit,
    processRps: cfg.processRps,
    drainTimeoutMs: cfg.drainTimeout,
    quick: switches.quick,
    open: switches.open,
    databaseUrl: nonEmpty(env.DATABASE_URL),
    natsUrl: nonEmpty(env.NATS_URL),
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
