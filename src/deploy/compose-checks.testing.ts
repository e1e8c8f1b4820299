import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  type ComposeFile,
  type ComposeService,
  commandOf,
  containerPorts,
  DEPLOY_DIR,
  environmentOf,
  peaklabServices,
  variablesIn,
} from './artifacts.testing.js';

/**
 * Consistency checks of deploy/compose.yaml that the Compose schema cannot express. Each returns
 * the problems it found, one sentence each; an empty list means the file passes. Kept apart from
 * the tests so a test can also show that a check catches a known-bad file.
 */

/** The standard OpenTelemetry variables the services' tracing reads (not listed in --help). */
export const OTEL_VARS = new Set([
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
]);

/** A bind mount's host source, or undefined for a named volume. */
function bindSource(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/');
}

interface Mount {
  source: string;
  target: string;
  bind: boolean;
}

export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v === 'object') {
      const source = v.source ?? '';
      return { source, target: v.target, bind: v.type === 'bind' || bindSource(source) };
    }
    const [source = '', target = ''] = v.split(':');
    return { source, target, bind: bindSource(source) };
  });
}

/**
 * Where a path inside a service's container comes from on the host (a bind mount of a file in
 * deploy/), or undefined if no bind mount covers it.
 */
export function hostPathOf(service: ComposeService, containerPath: string): string | undefined {
  for (const m of mountsOf(service)) {
    if (!m.bind) continue;
    if (containerPath === m.target) return join(DEPLOY_DIR, m.source);
    if (containerPath.startsWith(`${m.target}/`)) {
      return join(DEPLOY_DIR, m.source, containerPath.slice(m.target.length + 1));
    }
  }
  return undefined;
}

/** Images are pinned; a built service's Dockerfile exists. */
export function checkImages(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, s] of Object.entries(compose.services)) {
    if (s.image === undefined) {
      problems.push(`${name}: no image`);
      continue;
    }
    const tag = s.image.includes(':') ? s.image.slice(s.image.lastIndexOf(':') + 1) : '';
    if (tag === '' || tag === 'latest') problems.push(`${name}: image ${s.image} is not pinned to a version`);
    if (s.build !== undefined) {
      const build = typeof s.build === 'string' ? { context: s.build } : s.build;
      const dockerfile = join(DEPLOY_DIR, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
      if (!existsSync(dockerfile)) problems.push(`${name}: Dockerfile ${dockerfile} does not exist`);
    }
  }
  return problems;
}

/** Published ports are on 127.0.0.1, unique on the host, and a port the service exposes. */
export function checkPorts(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const hostPorts = new Map<string, string>();
  for (const [name, s] of Object.entries(compose.services)) {
    const exposed = new Set((s.expose ?? []).map((p) => Number(String(p).split('/')[0])));
    for (const p of s.ports ?? []) {
      const parts =
        typeof p === 'string' ? p.split(':') : [p.host_ip ?? '', String(p.published), String(p.target)];
      if (parts.length !== 3 || parts[0] !== '127.0.0.1') {
        problems.push(`${name}: port ${JSON.stringify(p)} is not published on 127.0.0.1 only`);
        continue;
      }
      const [, host = '', target = ''] = parts;
      const other = hostPorts.get(host);
      if (other !== undefined) problems.push(`${name}: host port ${host} is already published by ${other}`);
      hostPorts.set(host, name);
      if (!exposed.has(Number(target)))
        problems.push(`${name}: publishes ${target}, which it does not expose`);
    }
  }
  return problems;
}

/** Named volumes are declared and used; bind-mounted files exist in the repository. */
export function checkVolumes(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  const used = new Set<string>();
  for (const [name, s] of Object.entries(compose.services)) {
    for (const m of mountsOf(s)) {
      if (m.bind) {
        if (!existsSync(join(DEPLOY_DIR, m.source)))
          problems.push(`${name}: mounts ${m.source}, which is missing`);
      } else {
        used.add(m.source);
        if (!declared.has(m.source)) problems.push(`${name}: volume ${m.source} is not declared`);
      }
    }
  }
  for (const v of declared) if (!used.has(v)) problems.push(`volume ${v} is declared but unused`);
  return problems;
}

function dependsOn(s: ComposeService): Record<string, string | undefined> {
  const d = s.depends_on;
  if (d === undefined) return {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [n, undefined]));
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v.condition]));
}

/** depends_on names services that exist, waits for health only where there is a check, no cycle. */
export function checkDependsOn(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const services = compose.services;
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, condition] of Object.entries(dependsOn(s))) {
      const target = services[dep];
      if (target === undefined) problems.push(`${name}: depends on ${dep}, which is not a service`);
      else if (condition === 'service_healthy' && target.healthcheck === undefined) {
        problems.push(`${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      problems.push(`depends_on cycle: ${[...path, name].join(' -> ')}`);
      return;
    }
    state.set(name, 'visiting');
    for (const dep of Object.keys(dependsOn(services[name] ?? {}))) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(services)) visit(name, []);
  return problems;
}

/**
 * Each peaklab service sets only variables its command reads (`envOf(command)`, from its --help,
 * plus the OpenTelemetry ones), and no interpolated variable reaches two services: a knob shared
 * through an anchor turns every service at once. `raw` is the file before interpolation.
 */
export function checkPeaklabEnvironment(
  raw: ComposeFile,
  envOf: (command: string[]) => ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const users = new Map<string, string[]>();
  for (const [name, s] of peaklabServices(raw)) {
    const command = commandOf(s);
    const reads = envOf(command);
    if (reads.size === 0) problems.push(`${name}: \`peaklab ${command.join(' ')}\` lists no env variables`);
    for (const [key, value] of Object.entries(environmentOf(s))) {
      if (!reads.has(key) && !OTEL_VARS.has(key)) {
        problems.push(`${name}: sets ${key}, which \`peaklab ${command.join(' ')}\` does not read`);
      }
      for (const v of variablesIn(value)) users.set(v, [...(users.get(v) ?? []), name]);
    }
  }
  for (const [v, names] of users) {
    if (new Set(names).size > 1) problems.push(`\${${v}} sets ${[...new Set(names)].join(' and ')} at once`);
  }
  return problems;
}

const DEFAULT_PORTS: Record<string, number> = {
  'postgres:': 5432,
  'nats:': 4222,
  'redis:': 6379,
  'http:': 80,
};

/** A URL points at a compose service and a port it exposes; returns the problem, if any. */
export function checkAddress(
  compose: ComposeFile,
  who: string,
  what: string,
  url: string,
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${who}: ${what} ${url} is not a URL`;
  }
  const target = compose.services[parsed.hostname];
  if (target === undefined) return `${who}: ${what} names ${parsed.hostname}, which is not a compose service`;
  const port = parsed.port === '' ? DEFAULT_PORTS[parsed.protocol] : Number(parsed.port);
  if (port === undefined || !containerPorts(target).has(port)) {
    return `${who}: ${what} uses port ${port} of ${parsed.hostname}, which it does not expose`;
  }
  return undefined;
}

/** Backends, trace endpoint, own port and health check of each peaklab service agree. */
export function checkPeaklabWiring(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const urlVars = ['DATABASE_URL', 'NATS_URL', 'REDIS_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT'];
  for (const [name, s] of peaklabServices(compose)) {
    const env = environmentOf(s);
    const deps = dependsOn(s);
    for (const key of urlVars) {
      const url = env[key];
      if (url === undefined) continue;
      const problem = checkAddress(compose, name, key, url);
      if (problem !== undefined) problems.push(problem);
      else if (!(new URL(url).hostname in deps))
        problems.push(`${name}: ${key} uses ${url} without depends_on`);
    }
    if (env.OTEL_TRACES_EXPORTER !== undefined && env.OTEL_SERVICE_NAME !== name) {
      problems.push(`${name}: OTEL_SERVICE_NAME is ${env.OTEL_SERVICE_NAME}, not the service's name`);
    }
    const port = Number(env.PORT);
    if (!containerPorts(s).has(port)) problems.push(`${name}: PORT ${env.PORT} is not exposed`);
    // A gRPC service (counter) answers HTTP, and so its health check, on METRICS_PORT.
    const httpKey = env.METRICS_PORT === undefined ? 'PORT' : 'METRICS_PORT';
    const httpPort = Number(env[httpKey]);
    if (httpKey === 'METRICS_PORT' && !containerPorts(s).has(httpPort))
      problems.push(`${name}: METRICS_PORT ${env.METRICS_PORT} is not exposed`);
    const check = JSON.stringify(s.healthcheck?.test ?? '');
    if (!check.includes(`127.0.0.1:${httpPort}/`))
      problems.push(`${name}: the healthcheck does not call ${httpKey} ${httpPort}`);
  }
  return problems;
}

/** The value of a `--flag=value` or `--flag value` argument in a command list. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

/** A container path's host file, with a problem if it is not bind-mounted or missing. */
export function mountedFile(
  compose: ComposeFile,
  service: string,
  containerPath: string | undefined,
): { file?: string; problem?: string } {
  const s = compose.services[service];
  if (s === undefined) return { problem: `no service ${service}` };
  if (containerPath === undefined) return { problem: `${service}: no path given` };
  const file = hostPathOf(s, containerPath);
  if (file === undefined) return { problem: `${service}: ${containerPath} is not mounted from deploy/` };
  if (!existsSync(file))
    return { problem: `${service}: ${containerPath} comes from ${file}, which is missing` };
  return { file };
}

/** Files a glob of rule_files matches: only `dir/*.ext` and plain paths, as the shipped config uses. */
export function globFiles(path: string): string[] {
  const star = posix.basename(path);
  if (!star.includes('*')) return existsSync(path) ? [path] : [];
  const dir = posix.dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const [prefix = '', suffix = ''] = star.split('*');
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(suffix))
    .map((f) => join(dir, f));
}
