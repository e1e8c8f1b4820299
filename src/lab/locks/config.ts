import { join, resolve } from 'node:path';
import { bool, collectConfig, duration, int, optionalStr, type Spec, str } from '../../config/mod.js';
import { MODES, type Mode } from '../../services/counter/ports.js';
import { PeaklabError } from '../../shared/errors.js';
import { durationText, labEnvName } from '../config.js';
import type { LockStore, LocksSettings } from './types.js';

/** The seed's table rows plus two more; --quick keeps the seed's three and shortens each step. */
const FULL = { vus: '10,100,200,500,1000', step: 10_000 };
const QUICK = { vus: '10,100,1000', step: 1_000 };
const STORES: readonly LockStore[] = ['memory', 'redis'];

export const LOCKS_SWITCHES = {
  quick: bool(
    `a run under a minute: ${QUICK.vus} VUs, ${durationText(QUICK.step)} per step (default ${FULL.vus} VUs, ${durationText(FULL.step)} per step)`,
  ),
  open: bool('open report.html in the browser when done'),
};

function valueSpec(quick: boolean) {
  const d = quick ? QUICK : FULL;
  return {
    out: optionalStr('output directory (default ./lab-out/locks-<timestamp>)', '<dir>'),
    vus: str('closed-model virtual users per step, comma-separated', d.vus),
    step: duration('how long each step loads the counter', d.step, { min: 200, max: 600_000 }),
    modes: str('modes to run, comma-separated', MODES.join(',')),
    stores: str('stores to run, comma-separated (redis uses REDIS_URL)', STORES.join(',')),
    ioUs: int('memory store: simulated I/O per read, µs', 200, { min: 0, max: 1_000_000 }),
  } satisfies Spec;
}

/** Every flag of `lab locks`, for commander: `--quick`/`--open` are switches, the rest take a value. */
export function locksOptions(): Array<{ flags: string; description: string }> {
  const spec = { ...LOCKS_SWITCHES, ...valueSpec(false) };
  return Object.entries(spec).map(([key, field]) => {
    const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const isSwitch = key in LOCKS_SWITCHES;
    return {
      flags: isSwitch ? `--${flag}` : `--${flag} ${field.placeholder}`,
      description: `${field.description}; env ${labEnvName(key)}`,
    };
  });
}

function list<T extends string>(name: string, text: string, allowed: readonly T[], problems: string[]): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = items.filter((s) => !allowed.includes(s as T));
  if (items.length === 0 || bad.length > 0)
    problems.push(`--${name}: "${text}" must list some of ${allowed.join(', ')}`);
  return [...new Set(items as T[])];
}

/**
 * Reads `lab locks` settings once, flags then LAB_ env vars, every problem in one
 * PL_CONFIG_INVALID. `--quick` changes defaults only, never a value the user gave.
 */
export function readLocksSettings(
  flags: Readonly<Record<string, unknown>>,
  { env, cwd, now }: { env: Readonly<Record<string, string | undefined>>; cwd: string; now: Date },
): LocksSettings {
  const problems: string[] = [];
  const switches = collectConfig(LOCKS_SWITCHES, flags, env, problems, labEnvName);
  const cfg = collectConfig(valueSpec(switches.quick), flags, env, problems, labEnvName);
  const vus = cfg.vus.split(',').map((s) => Number(s.trim()));
  if (vus.length === 0 || vus.some((v) => !Number.isInteger(v) || v < 1 || v > 10_000))
    problems.push(`--vus: "${cfg.vus}" must list integers in 1..10000`);
  const modes = list<Mode>('modes', cfg.modes, MODES, problems);
  const stores = list<LockStore>('stores', cfg.stores, STORES, problems);
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const redisUrl = env.REDIS_URL?.trim() ? env.REDIS_URL.trim() : 'redis://127.0.0.1:6379';
  return {
    outDir: resolve(cwd, cfg.out ?? join('lab-out', `locks-${stamp}`)),
    modes,
    stores,
    vus: [...new Set(vus)].sort((a, b) => a - b),
    stepMs: cfg.step,
    ioUs: cfg.ioUs,
    redisUrl,
    quick: switches.quick,
    open: switches.open,
  };
}
