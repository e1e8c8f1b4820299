import type { Command } from 'commander';
import { PeaklabError } from '../shared/errors.js';
import type { ConfigOf, Spec } from './fields.js';

/** rpsLimit -> rps-limit */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** rpsLimit -> RPS_LIMIT: every flag has an env var of the same name in upper snake case. */
export function envName(key: string): string {
  return flagName(key).replace(/-/g, '_').toUpperCase();
}

/**
 * `env` without the variables `spec` reads: for a child process configured entirely by its flags,
 * so a stray `WORKERS` or `MODE` in the caller's environment cannot change what it does.
 */
export function envWithout(
  env: Readonly<Record<string, string | undefined>>,
  spec: Spec,
): Record<string, string | undefined> {
  const out = { ...env };
  for (const key of Object.keys(spec)) delete out[envName(key)];
  return out;
}

/** Declares one `--kebab-name <value>` option per field, at registration rather than per run. */
export function addOptions(cmd: Command, spec: Spec): Command {
  for (const [key, field] of Object.entries(spec)) {
    const shown = field.default === undefined ? '' : ` (default ${String(field.default)})`;
    cmd.option(
      `--${flagName(key)} ${field.placeholder}`,
      `${field.description}${shown}; env ${envName(key)}`,
    );
  }
  return cmd;
}

/**
 * readConfig's core: a flag wins over its env var, which wins over the default. Each bad value is
 * appended to `problems` rather than thrown, so a caller reading several specs (the lab's switches,
 * then the values whose defaults they change) still reports every problem in one go.
 * `nameOf` names a key's env var (default: envName; the lab prefixes LAB_).
 */
export function collectConfig<S extends Spec>(
  spec: S,
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
  nameOf: (key: string) => string = envName,
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    const flag = flags[key];
    const raw = flag !== undefined ? String(flag) : env[nameOf(key)];
    out[key] = field.default;
    if (raw === undefined) continue;
    try {
      out[key] = field.parse(raw);
    } catch (err) {
      const source = flag !== undefined ? `--${flagName(key)}` : nameOf(key);
      problems.push(`${source}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out as ConfigOf<S>;
}

/**
 * A rule across fields ("--workers 0 needs NATS_URL"): returns what is wrong, or undefined. It sees
 * the parsed config, with defaults in place of values that did not parse.
 */
export type ConfigRule<C> = (cfg: C) => string | undefined;

/**
 * Reads a whole config once, at start-up: each field, then each cross-field rule. Every bad value
 * and every broken rule is reported together in one PL_CONFIG_INVALID error, so a user fixes them
 * in one go; the CLI prints it as one line with exit 2.
 */
export function readConfig<S extends Spec>(
  spec: S,
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  rules: ReadonlyArray<ConfigRule<ConfigOf<S>>> = [],
): ConfigOf<S> {
  const problems: string[] = [];
  const out = collectConfig(spec, flags, env, problems);
  for (const rule of rules) {
    const problem = rule(out);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
  return out;
}
