import { join, resolve } from 'node:path';
import { bool, duration, int, optionalStr, readConfig, type Spec } from '../config/mod.js';
import { PeaklabError } from '../shared/errors.js';
import type { LabSettings } from './types.js';

/** The flags that take a value; `--quick` and `--open` are switches, read from SWITCHES. */
function valueSpec(quick: boolean) {
  return {
    out: optionalStr('output directory (default ./lab-out/smooth-corners-<timestamp>)', '<dir>'),
    period: duration('period of the sine', quick ? 8_000 : 60_000, { min: 2_000, max: 3_600_000 }),
    cycles: int('sine cycles per mode', 2, { min: 1, max: 100 }),
    min: int('lowest rate of the sine (requests/s)', 0, { min: 0, max: 100_000 }),
    max: int('highest rate of the sine (requests/s)', 100, { min: 1, max: 100_000 }),
    rpsLimit: int('the shed threshold (requests/s)', 50, { min: 1, max: 100_000 }),
    processRps: int("the backend's capacity (orders/s)", 50, { min: 1, max: 100_000 }),
    drainTimeout: duration(
      'how long queue mode waits for the backlog to drain after the load',
      quick ? 20_000 : 60_000,
      {
        min: 0,
        max: 3_600_000,
      },
    ),
  } satisfies Spec;
}

export const LAB_VALUE_SPEC = valueSpec(false);

export const LAB_SWITCHES = {
  quick: bool('a ~40 s run with a faster sine (period 8s), for tests and a first look'),
  open: bool('open the report in the default browser when one is available'),
} satisfies Spec;

export interface LabEnvironment {
  /** The CLI's environment: flags' env vars, DATABASE_URL and NATS_URL. */
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
 * Reads the experiment's settings once, from flags then env vars, validated together. `--quick` changes
 * the defaults (a faster sine), never a value the user gave.
 */
export function readLabSettings(
  flags: Readonly<Record<string, unknown>>,
  { env, cwd, now }: LabEnvironment,
): LabSettings {
  const switches = readConfig(LAB_SWITCHES, flags, env);
  const cfg = readConfig(valueSpec(switches.quick), flags, env);
  const problems: string[] = [];
  if (cfg.min >= cfg.max) problems.push(`--min (${cfg.min}) must be below --max (${cfg.max})`);
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
  const out = cfg.out ?? defaultOutDir(cwd, now);
  return {
    outDir: resolve(cwd, out),
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
