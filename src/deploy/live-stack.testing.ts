import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify, parse as yamlParse } from 'yaml';
import { type ChildService, spawnPeaklab } from '../shared/child-service.js';
import { freePort } from '../testing/tools.js';
import {
  type ComposeFile,
  commandOf,
  DEPLOY_DIR,
  environmentOf,
  peaklabServices,
} from './artifacts.testing.js';

/**
 * The compose topology without Docker, for a test: every peaklab service of compose.yaml started
 * as `peaklab <command>` with its compose environment (backends and ports swapped for the
 * test's), and a real Prometheus on the shipped prometheus.yml and rules, its targets rewritten to
 * those processes. Jobs whose targets do not run here (the NATS exporter) are left out and named.
 */

export const PROMETHEUS = '/usr/bin/prometheus';

export interface LiveStack {
  /** compose service name -> http://127.0.0.1:PORT, where its /metrics is (METRICS_PORT if set) */
  readonly urls: ReadonlyMap<string, string>;
  /** compose service name -> the URL its first `listening` line gave (grpc://… for counter) */
  readonly announced: ReadonlyMap<string, string>;
  readonly promUrl: string;
  /** Scrape jobs of the shipped config that this stack cannot run, with the target missing. */
  readonly droppedJobs: readonly string[];
  /** Jobs kept, each with its targets rewritten. */
  readonly keptJobs: readonly string[];
  close(): Promise<void>;
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: Array<{ targets: string[]; labels?: Record<string, string> }>;
  dns_sd_configs?: Array<{ names: string[]; port: number }>;
  [key: string]: unknown;
}

/**
 * The shipped prometheus.yml with each compose `service:port` target replaced by `addresses`
 * (service -> host:port), rule files made absolute, and jobs with an unknown target dropped.
 */
export function rewritePrometheusConfig(
  shipped: string,
  addresses: ReadonlyMap<string, string>,
): { config: string; kept: string[]; dropped: string[] } {
  const doc = yamlParse(shipped) as { rule_files?: string[]; scrape_configs: ScrapeConfig[] };
  const kept: string[] = [];
  const dropped: string[] = [];
  const jobs: ScrapeConfig[] = [];
  for (const job of doc.scrape_configs) {
    const services = [
      ...(job.static_configs ?? []).flatMap((c) => c.targets.map((t) => t.split(':')[0] as string)),
      ...(job.dns_sd_configs ?? []).flatMap((c) => c.names),
    ];
    const missing = services.filter((s) => !addresses.has(s));
    if (missing.length > 0 || services.length === 0) {
      dropped.push(`${job.job_name} (${missing.join(', ')} does not run here)`);
      continue;
    }
    const { dns_sd_configs: _dns, static_configs: statics, ...rest } = job;
    const labels = Object.assign({}, ...(statics ?? []).map((c) => c.labels ?? {})) as Record<string, string>;
    jobs.push({
      ...rest,
      static_configs: [{ targets: services.map((s) => addresses.get(s) as string), labels }],
    });
    kept.push(job.job_name);
  }
  const rules = (doc.rule_files ?? []).map((f) => join(DEPLOY_DIR, 'prometheus', f));
  return { config: stringify({ ...doc, rule_files: rules, scrape_configs: jobs }), kept, dropped };
}

/** Settings that point a compose service at this test's backends and a free port. */
export interface LocalOverrides {
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Starts every peaklab service of `compose` and a Prometheus scraping them. `local` replaces the
 * compose environment's backends and addresses; the rest of each service's environment is the
 * file's own. On any failure, whatever started is stopped before the error is thrown.
 */
export async function startLiveStack(compose: ComposeFile, local: LocalOverrides): Promise<LiveStack> {
  const children: ChildService[] = [];
  const urls = new Map<string, string>();
  const announced = new Map<string, string>();
  let prometheus: ChildProcess | undefined;
  let scratch: string | undefined;
  const close = async () => {
    prometheus?.kill('SIGTERM');
    if (prometheus && prometheus.exitCode === null) await new Promise((r) => prometheus?.once('exit', r));
    await Promise.allSettled(children.map((c) => c.stop('SIGTERM')));
    if (scratch) await rm(scratch, { recursive: true, force: true });
  };
  try {
    for (const [name, service] of peaklabServices(compose)) {
      const env = { ...environmentOf(service), ...local.env };
      // A gRPC service (counter) serves /metrics on METRICS_PORT, the address Prometheus scrapes;
      // a free port chosen here, since its first `listening` line is the gRPC one.
      let metricsUrl: string | undefined;
      if (env.METRICS_PORT !== undefined) {
        env.METRICS_PORT = String(await freePort());
        metricsUrl = `http://127.0.0.1:${env.METRICS_PORT}`;
      }
      const child = await spawnPeaklab(commandOf(service), { env, timeoutMs: 60_000 });
      children.push(child);
      if (child.url !== undefined) announced.set(name, child.url);
      const url = metricsUrl ?? child.url;
      if (url === undefined) throw new Error(`${name} logged no url`);
      urls.set(name, url);
    }
    scratch = await mkdtemp(join(tmpdir(), 'peaklab-prom-'));
    const port = await freePort();
    const promUrl = `http://127.0.0.1:${port}`;
    const addresses = new Map([...urls].map(([name, url]) => [name, new URL(url).host]));
    addresses.set('prometheus', `127.0.0.1:${port}`);
    const shipped = await readFile(join(DEPLOY_DIR, 'prometheus', 'prometheus.yml'), 'utf8');
    const { config, kept, dropped } = rewritePrometheusConfig(shipped, addresses);
    await writeFile(join(scratch, 'prometheus.yml'), config);
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(scratch, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(scratch, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    return { urls, announced, promUrl, droppedJobs: dropped, keptJobs: kept, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Polls `check` every 200 ms until it is true or `timeoutMs` passes; returns the last result. */
export async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check().catch(() => false);
}
