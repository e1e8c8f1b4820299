import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * Readers for the shipped deployment artifacts in deploy/, shared by the tests in this folder:
 * the Compose file (merged and interpolated as Compose does), the Grafana dashboards and the
 * Prometheus rules. Paths are resolved from this compiled file (dist/src/deploy) to the repo.
 */

/** The repository's deploy/ folder. */
export const DEPLOY_DIR = fileURLToPath(new URL('../../../deploy/', import.meta.url));
/** The repository root. */
export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/** Image of every peaklab service in compose.yaml: one image, `peaklab serve|worker <name>`. */
export const PEAKLAB_IMAGE = 'peaklab:local';

// Compose's interpolation: $$ (a literal $), $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
// ${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}.
const INTERPOLATION =
  /\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\})/g;

/**
 * Interpolates one Compose string with `vars` (the shell environment Compose would see).
 * Throws on `${VAR:?msg}` with VAR unset or empty, as Compose does.
 */
export function interpolate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(
    INTERPOLATION,
    (_m, dollar: string | undefined, bare: string | undefined, name: string | undefined, op, arg) => {
      if (dollar !== undefined) return '$';
      const key = (bare ?? name) as string;
      const value = vars[key];
      const empty = value === undefined || value === '';
      switch (op as string | undefined) {
        case undefined:
          return value ?? '';
        case ':-':
          return empty ? (arg as string) : (value as string);
        case '-':
          return value === undefined ? (arg as string) : value;
        case ':?':
        case '?':
          if (op === ':?' ? empty : value === undefined) throw new Error(`${key}: ${arg as string}`);
          return value as string;
        case ':+':
          return empty ? '' : (arg as string);
        default:
          return value === undefined ? '' : (arg as string);
      }
    },
  );
}

/** Names of the variables a Compose string interpolates (not `$$` escapes). */
export function variablesIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(INTERPOLATION)) if (m[1] === undefined) names.push((m[2] ?? m[3]) as string);
  return names;
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  expose?: Array<string | number>;
  volumes?: Array<string | { type?: string; source?: string; target: string; read_only?: boolean }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  profiles?: string[];
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** deploy/compose.yaml's text (or `file` in deploy/, for a test that checks an older copy). */
export function readComposeText(file = 'compose.yaml'): Promise<string> {
  return readFile(`${DEPLOY_DIR}${file}`, 'utf8');
}

/** Parses Compose YAML with merge keys (`<<: *anchor`) resolved, before interpolation. */
export function parseCompose(text: string): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/** The Compose model as `docker compose config` sees it with these variables set. */
export function interpolateCompose(
  raw: ComposeFile,
  vars: Readonly<Record<string, string>> = {},
): ComposeFile {
  return mapStrings(raw, (s) => interpolate(s, vars)) as ComposeFile;
}

/** A service's environment as a map of strings (Compose accepts a map or a list of KEY=VALUE). */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** `command` as an argument list (Compose splits a string command shell-like; ours are lists). */
export function commandOf(service: ComposeService): string[] {
  const cmd = service.command;
  if (cmd === undefined) return [];
  return Array.isArray(cmd) ? cmd.map(String) : cmd.split(/\s+/).filter(Boolean);
}

/** The services that run the peaklab image (or build it from this repository): name -> service. */
export function peaklabServices(compose: ComposeFile): Array<[string, ComposeService]> {
  return Object.entries(compose.services).filter(
    ([, s]) => s.image === PEAKLAB_IMAGE || s.build !== undefined,
  );
}

/** Container ports a service listens on, as far as the file says: `expose` plus published targets. */
export function containerPorts(service: ComposeService): Set<number> {
  const ports = new Set<number>();
  for (const p of service.expose ?? []) ports.add(Number(String(p).split('/')[0]));
  for (const p of service.ports ?? []) {
    if (typeof p === 'object') ports.add(Number(p.target));
    else ports.add(Number((String(p).split('/')[0] as string).split(':').at(-1)));
  }
  return ports;
}

/** A Grafana dashboard panel, as far as the tests read it. */
export interface Panel {
  title: string;
  type: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

/** Every dashboard JSON in deploy/grafana/dashboards: file name -> dashboard. */
export async function readDashboards(): Promise<Map<string, Dashboard>> {
  const dir = `${DEPLOY_DIR}grafana/dashboards/`;
  const out = new Map<string, Dashboard>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    out.set(file, JSON.parse(await readFile(dir + file, 'utf8')) as Dashboard);
  }
  return out;
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
}

/** Every rule in deploy/prometheus/rules/*.yml, with the file it came from. */
export async function readRules(): Promise<Array<Rule & { file: string }>> {
  const dir = `${DEPLOY_DIR}prometheus/rules/`;
  const out: Array<Rule & { file: string }> = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yml')).sort()) {
    const doc = parse(await readFile(dir + file, 'utf8')) as { groups: Array<{ rules: Rule[] }> };
    for (const group of doc.groups) for (const rule of group.rules) out.push({ ...rule, file });
  }
  return out;
}

const COMPARISON = /(==|!=|>=|<=|>|<)(\s*bool)?\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

/**
 * Splits an alert expression of the shape deploy/prometheus/rules/alerts.yml promises,
 * `<signal> <op> <number>`, into the signal and a "bool" form that returns a series (0 or 1)
 * wherever the signal has one, so a test can tell "quiet" from "charts nothing".
 * Throws if the expression does not end in a top-level comparison with a number.
 */
export function alertSignal(expr: string): { signal: string; bool: string } {
  const text = expr.trim();
  const m = COMPARISON.exec(text);
  if (m === null || m[2] !== undefined) throw new Error(`not "<signal> <op> <number>": ${text}`);
  const signal = text.slice(0, m.index).trim();
  let depth = 0;
  for (const ch of signal) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth--;
  }
  if (depth !== 0) throw new Error(`the comparison is not at the top level: ${text}`);
  return { signal, bool: `${signal} ${m[1]} bool ${m[3]}` };
}
