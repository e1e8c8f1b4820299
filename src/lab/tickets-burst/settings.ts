import { join, resolve } from 'node:path';
import { bool, collectConfig, duration, int, optionalStr, type Spec } from '../../config/mod.js';
import { PeaklabError } from '../../shared/errors.js';
import { durationText, labEnvName } from '../config.js';

/** What `peaklab lab tickets-burst` runs with. */
export interface BurstSettings {
  readonly outDir: string;
  /** The burst's rate (requests/s) during its step. */
  readonly peakRps: number;
  /** Each step's length: quiet, burst, then two quiet steps to watch the drain (ms). */
  readonly stepMs: number;
  /** After the load, how long to wait for the backlog to reach 0 (ms). */
  readonly drainWaitMs: number;
  /** Distinct corpus tickets in the mix (request i sends ticket i mod this). */
  readonly corpusSize: number;
  readonly quick: boolean;
  readonly open: boolean;
  /** Keep the scratch data (bodies.json, the PGlite directories) in outDir after the run. */
  readonly keep: boolean;
  /** Postgres for both runs (a schema each); unset = PGlite in the output directory. */
  readonly databaseUrl: string | undefined;
}

const QUICK = { peak: 600, step: 4000, drainWait: 15_000 };
const FULL = { peak: 1500, step: 10_000, drainWait: 120_000 };

function valueSpec(quick: boolean) {
  const d = quick ? QUICK : FULL;
  return {
    out: optionalStr('output directory (default lab-out/tickets-burst-<time>)', '<dir>'),
    peak: int('the burst: POST /ticket per second during the step', d.peak, { min: 1, max: 100_000 }),
    step: duration('length of each step of 0 -> peak -> 0 -> 0', d.step, { min: 500, max: 600_000 }),
    drainWait: duration('after the load, how long to wait for the backlog to drain', d.drainWait, {
      min: 1000,
      max: 3_600_000,
    }),
    corpus: int('distinct corpus tickets in the mix (70% well-formed, 25% messy, 5% broken)', 2000, {
      min: 20,
      max: 100_000,
    }),
  } satisfies Spec;
}

const SWITCHES = {
  quick: bool(
    `under a minute: peak ${QUICK.peak}/s, steps of ${durationText(QUICK.step)}, drain wait ${durationText(QUICK.drainWait)}`,
  ),
  open: bool('open the report in the default browser when one is available'),
  keep: bool(
    'keep the scratch data in the output directory (bodies.json, pglite-<mode>/); removed by default',
  ),
} satisfies Spec;

/** The options as --help shows them, with --quick's defaults and the LAB_ env var of each. */
export function burstOptions(): { flags: string; description: string }[] {
  const full: Spec = valueSpec(false);
  const quick: Spec = valueSpec(true);
  const text = (v: unknown, placeholder: string) =>
    placeholder === '<duration>' && typeof v === 'number' ? durationText(v) : String(v);
  const values = Object.entries(full).map(([key, f]) => {
    const q = quick[key]?.default;
    const defaults =
      f.default === undefined
        ? ''
        : ` (default ${text(f.default, f.placeholder)}${q === f.default ? '' : `; --quick: ${text(q, f.placeholder)}`})`;
    return {
      flags: `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${f.placeholder}`,
      description: `${f.description}${defaults}; env ${labEnvName(key)}`,
    };
  });
  const switches = Object.entries(SWITCHES).map(([key, f]) => ({
    flags: `--${key}`,
    description: `${f.description}; env ${labEnvName(key)}`,
  }));
  return [...values, ...switches];
}

/** Reads flags then LAB_ env vars, every problem at once (PL_CONFIG_INVALID). */
export function readBurstSettings(
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  now: Date,
): BurstSettings {
  const problems: string[] = [];
  const sw = collectConfig(SWITCHES, flags, env, problems, labEnvName);
  const cfg = collectConfig(valueSpec(sw.quick), flags, env, problems, labEnvName);
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const url = env.DATABASE_URL?.trim();
  return {
    outDir: resolve(cwd, cfg.out ?? join('lab-out', `tickets-burst-${stamp}`)),
    peakRps: cfg.peak,
    stepMs: cfg.step,
    drainWaitMs: cfg.drainWait,
    corpusSize: cfg.corpus,
    quick: sw.quick,
    open: sw.open,
    keep: sw.keep,
    databaseUrl: url === undefined || url === '' ? undefined : url,
  };
}
