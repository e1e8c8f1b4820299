import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import {
  commandOf,
  containerPorts,
  DEPLOY_DIR,
  environmentOf,
  interpolate,
  interpolateCompose,
  parseCompose,
  peaklabServices,
  REPO_DIR,
  readComposeText,
  readDashboards,
} from './artifacts.testing.js';
import {
  checkAddress,
  checkDependsOn,
  checkImages,
  checkPeaklabEnvironment,
  checkPeaklabWiring,
  checkPorts,
  checkVolumes,
  flagValue,
  globFiles,
  mountedFile,
} from './compose-checks.testing.js';

/**
 * deploy/compose.yaml, checked without Docker: valid against the Compose Specification's JSON
 * schema (deploy/schemas/compose-spec.json), and consistent with itself and with the repository:
 * images, ports, volumes, mounted files, depends_on, the services' settings, Prometheus' targets,
 * Grafana's provisioning and the NATS config.
 */

const raw = parseCompose(await readComposeText());
// The file as Compose runs it with no variables set: every default applies.
const compose = interpolateCompose(raw);

/** `peaklab <command> --help` lists `env NAME` for every setting the command reads. */
const helpCache = new Map<string, ReadonlySet<string>>();
function envOfCommand(command: string[]): ReadonlySet<string> {
  const cached = helpCache.get(command.join(' '));
  if (cached !== undefined) return cached;
  const help = execFileSync(process.execPath, [`${REPO_DIR}bin/peaklab.js`, ...command, '--help'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  const names = new Set([...help.matchAll(/\benv ([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string));
  helpCache.set(command.join(' '), names);
  return names;
}

test('compose.yaml is valid against the Compose Specification schema', async () => {
  const schema = JSON.parse(await readFile(`${DEPLOY_DIR}schemas/compose-spec.json`, 'utf8')) as object;
  // The schema names its meta-schema as https://json-schema.org/draft-07/schema, which Ajv knows
  // under its older URL only; Ajv compiles it as draft-07 either way.
  const validate = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(schema);
  const variants: Array<Record<string, string>> = [{}, { MODE: 'shed', ORDERS_INTAKE_WORKERS: '8' }];
  for (const vars of variants) {
    const ok = validate(interpolateCompose(raw, vars));
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  }
  // The schema is a real check: it refuses a service key that Compose does not know.
  const broken = structuredClone(compose);
  (broken.services.orders as Record<string, unknown>).enviroment = { PORT: '8080' };
  assert.equal(validate(broken), false, 'a misspelt key fails the schema');
});

test('Compose interpolation follows the specification', () => {
  const vars = { SET: 'v', EMPTY: '' };
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's own ${VAR} syntax, not a template
  assert.equal(interpolate('${SET:-d} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} $SET $$SET', vars), 'v d d  v $SET');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's own ${VAR} syntax, not a template
  assert.equal(interpolate('${SET:+alt}|${EMPTY:+alt}|${FAIL_PRODUCT:--1}', vars), 'alt||-1');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's own ${VAR} syntax, not a template
  assert.throws(() => interpolate('${UNSET:?needed}', vars), /UNSET: needed/);
});

test('images are pinned and each built image has its Dockerfile', () => {
  assert.deepEqual(checkImages(compose), []);
  const dockerfile = readFileSync(`${DEPLOY_DIR}peaklab.Dockerfile`, 'utf8');
  assert.match(dockerfile, /^ENTRYPOINT \["node", "bin\/peaklab\.js"\]$/m, 'the image runs the peaklab CLI');
});

test('ports are published on 127.0.0.1, once each, and exposed by their service', () => {
  assert.deepEqual(checkPorts(compose), []);
});

test('volumes are declared and used, and every mounted file is in the repository', () => {
  assert.deepEqual(checkVolumes(compose), []);
});

test('depends_on names services, waits for health only where there is a check, and has no cycle', () => {
  assert.deepEqual(checkDependsOn(compose), []);
});

test('each peaklab service runs `peaklab serve|worker <name>` and sets only what its command reads', () => {
  const services = peaklabServices(compose);
  assert.ok(services.length >= 2, 'the orders intake and worker');
  for (const [name, s] of services) {
    assert.match(commandOf(s).join(' '), /^(serve|worker) [a-z]+$/, `${name}: command`);
  }
  assert.deepEqual(checkPeaklabEnvironment(raw, envOfCommand), []);
});

test('the environment check catches a block shared through an anchor (the old file)', () => {
  // The shape of the file before this check existed: the worker merged the intake's environment,
  // so WORKERS=0 "for intake only" reached the worker too, and it refused to start.
  const old = parseCompose(`
services:
  orders:
    image: peaklab:local
    command: ["serve", "orders"]
    environment: &orders-env
      MODE: \${MODE:-queue}
      WORKERS: \${WORKERS:-8}
  orders-worker:
    image: peaklab:local
    command: ["worker", "orders"]
    environment:
      <<: *orders-env
      PORT: "8081"
`);
  const problems = checkPeaklabEnvironment(old, envOfCommand);
  assert.ok(
    problems.includes('orders-worker: sets MODE, which `peaklab worker orders` does not read'),
    problems.join('\n'),
  );
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's own ${VAR} syntax, not a template
  assert.ok(problems.includes('${WORKERS} sets orders and orders-worker at once'), problems.join('\n'));
});

test('each peaklab service reaches its backends and trace store, listens on its exposed port', () => {
  assert.deepEqual(checkPeaklabWiring(compose), []);
  for (const [name, s] of peaklabServices(compose)) {
    const env = environmentOf(s);
    assert.equal(env.LISTEN_HOST, '0.0.0.0', `${name}: listens beyond the container's loopback`);
    assert.equal(env.OTEL_TRACES_EXPORTER, 'otlp', `${name}: exports traces`);
  }
  assert.ok(compose.services.jaeger, 'a trace store');
});

interface ScrapeConfig {
  job_name: string;
  static_configs?: Array<{ targets: string[] }>;
  dns_sd_configs?: Array<{ names: string[]; port: number; type?: string }>;
}

test("Prometheus: the mounted config's targets are compose services and ports, rule files mounted", () => {
  const problems: string[] = [];
  const prom = compose.services.prometheus;
  assert.ok(prom, 'a prometheus service');
  const configPath = flagValue(commandOf(prom), '--config.file');
  const mounted = mountedFile(compose, 'prometheus', configPath);
  assert.equal(mounted.problem, undefined);
  const config = parse(readFileSync(mounted.file as string, 'utf8')) as {
    rule_files?: string[];
    scrape_configs: ScrapeConfig[];
  };
  for (const rules of config.rule_files ?? []) {
    const inContainer = posix.join(posix.dirname(configPath as string), rules);
    const host = mountedFile(compose, 'prometheus', posix.dirname(inContainer));
    if (host.problem !== undefined) problems.push(`rule_files ${rules}: ${host.problem}`);
    else if (globFiles(`${host.file}/${posix.basename(inContainer)}`).length === 0) {
      problems.push(`rule_files ${rules} matches no file`);
    }
  }
  const scraped = new Set<string>();
  for (const job of config.scrape_configs) {
    const targets = [
      ...(job.static_configs ?? []).flatMap((c) => c.targets),
      ...(job.dns_sd_configs ?? []).flatMap((c) => c.names.map((n) => `${n}:${c.port}`)),
    ];
    if (targets.length === 0) problems.push(`job ${job.job_name} has no target`);
    for (const target of targets) {
      const problem = checkAddress(compose, `job ${job.job_name}`, 'target', `http://${target}`);
      if (problem !== undefined) problems.push(problem);
      scraped.add(target.split(':')[0] as string);
    }
  }
  for (const [name] of peaklabServices(compose)) {
    if (!scraped.has(name)) problems.push(`peaklab service ${name} is not scraped`);
  }
  if (!scraped.has('nats-exporter')) problems.push('the NATS exporter is not scraped');
  assert.deepEqual(problems, []);
});

test('Grafana: provisioning, dashboards and home are mounted; datasources are compose services', async () => {
  const problems: string[] = [];
  const grafana = compose.services.grafana;
  assert.ok(grafana, 'a grafana service');
  const provisioning = mountedFile(compose, 'grafana', '/etc/grafana/provisioning');
  assert.equal(provisioning.problem, undefined);
  const providers = parse(readFileSync(`${provisioning.file}/dashboards/peaklab.yaml`, 'utf8')) as {
    providers: Array<{ options: { path: string } }>;
  };
  for (const p of providers.providers) {
    const dir = mountedFile(compose, 'grafana', p.options.path);
    if (dir.problem !== undefined) problems.push(`dashboard provider: ${dir.problem}`);
  }
  const home = mountedFile(
    compose,
    'grafana',
    environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH,
  );
  if (home.problem !== undefined) problems.push(`home dashboard: ${home.problem}`);
  const sources = parse(readFileSync(`${provisioning.file}/datasources/datasources.yaml`, 'utf8')) as {
    datasources: Array<{ uid: string; url: string; name: string }>;
  };
  for (const ds of sources.datasources) {
    const problem = checkAddress(compose, `datasource ${ds.name}`, 'url', ds.url);
    if (problem !== undefined) problems.push(problem);
  }
  const uids = new Set(sources.datasources.map((d) => d.uid));
  for (const [file, dash] of await readDashboards()) {
    for (const panel of dash.panels) {
      for (const uid of [panel.datasource?.uid, ...(panel.targets ?? []).map((t) => t.datasource?.uid)]) {
        if (uid !== undefined && !uids.has(uid)) problems.push(`${file} "${panel.title}": datasource ${uid}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('NATS: the shipped config is mounted where the command reads it, its ports are exposed', () => {
  const nats = compose.services.nats;
  assert.ok(nats, 'a nats service');
  const mounted = mountedFile(compose, 'nats', flagValue(commandOf(nats), '--config'));
  assert.equal(mounted.problem, undefined);
  assert.equal(dirname(mounted.file as string), `${DEPLOY_DIR}nats`);
  const conf = readFileSync(mounted.file as string, 'utf8');
  const port = (key: string) => Number(new RegExp(`^${key}:\\s*\\S*:(\\d+)\\s*$`, 'm').exec(conf)?.[1]);
  const client = port('listen');
  const monitoring = port('http');
  assert.equal(monitoring, 8222, 'monitoring on 8222');
  assert.ok(containerPorts(nats).has(client) && containerPorts(nats).has(monitoring), 'both ports exposed');
  assert.match(conf, /^\s*sync_interval:\s*always\s*$/m, 'JetStream fsyncs every write');
  // JetStream's data lives on a named volume, so it outlives the container.
  const storeDir = /^\s*store_dir:\s*(\S+)\s*$/m.exec(conf)?.[1];
  const volume = (nats.volumes ?? []).find((v) => typeof v === 'string' && v.endsWith(`:${storeDir}`));
  assert.ok(
    typeof volume === 'string' && !volume.startsWith('.'),
    `store_dir ${storeDir} is on a named volume`,
  );
  // sync_interval exists from nats-server 2.10 on.
  const [major = 0, minor = 0] = (/^nats:(\d+)\.(\d+)/.exec(nats.image ?? '') ?? []).slice(1).map(Number);
  assert.ok(major > 2 || (major === 2 && minor >= 10), `${nats.image} knows sync_interval`);
  // The exporter reads the monitoring port.
  const exporter = commandOf(compose.services['nats-exporter'] ?? {});
  assert.ok(exporter.includes(`http://nats:${monitoring}`), `exporter: ${exporter.join(' ')}`);
  assert.ok(
    exporter.some((a) => a.startsWith('-jsz')),
    'the exporter reads JetStream (-jsz)',
  );
});

test('every Compose variable the header documents exists in the file', () => {
  const text = readFileSync(`${DEPLOY_DIR}compose.yaml`, 'utf8');
  const header = text.slice(0, text.indexOf('\nname:'));
  const documented = new Set([...header.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1] as string));
  assert.ok(documented.size >= 2, 'the header shows how to set the settings');
  const used = new Set([...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string));
  for (const v of documented) assert.ok(used.has(v), `${v} is documented but unused`);
});
