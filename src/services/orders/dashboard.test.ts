import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readConfig } from '../../config/mod.js';
import { silentLogger } from '../../shared/logger.js';
import { type TestBackends, testBackends } from '../../testing/backends.js';
import { needService } from '../../testing/services.js';
import { freePort, needTool } from '../../testing/tools.js';
import { waitFor } from '../../testing/wait.js';
import { WORKER_SPEC } from './config.js';
import { type RunningService, startOrders } from './service.js';
import { GOOD_ORDER, postOrder, startTestService } from './testing/harness.js';

/**
 * deploy/ is only worth shipping if it works: a real Prometheus, configured by the shipped
 * prometheus.yml (targets rewritten to this test's processes), scrapes an intake and a separate
 * worker under load, and every query of the shipped Grafana dashboard must return data.
 */

const PROMETHEUS = '/usr/bin/prometheus';
const pgGate = await needService('postgres');
const natsGate = await needService('nats');
const promGate = needTool(PROMETHEUS, 'apt-get install prometheus');
const skip = pgGate.skip || natsGate.skip || promGate.skip;

const DEPLOY = new URL('../../../../deploy/', import.meta.url);
// Grafana's $__rate_interval is max(4 × scrape interval, step + scrape interval): 4 s at 1 s.
const RATE_INTERVAL = '4s';

interface Panel {
  title: string;
  targets: Array<{ expr: string; legendFormat?: string }>;
}
interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

let backends: TestBackends;
let intake: RunningService;
let worker: RunningService;
let prometheus: ChildProcess | undefined;
let promUrl: string;
let scratch: string;
let loadStart: number;
let loadEnd: number;

async function startPrometheus(targets: { intake: string; worker: string }): Promise<void> {
  scratch = await mkdtemp(join(tmpdir(), 'peaklab-prom-'));
  const shipped = await readFile(new URL('prometheus/prometheus.yml', DEPLOY), 'utf8');
  const config = shipped
    .replace('"orders:8080"', `"${targets.intake}"`)
    .replace('"orders-worker:8081"', `"${targets.worker}"`);
  assert.notEqual(config, shipped, 'the shipped config names the compose targets');
  await writeFile(join(scratch, 'prometheus.yml'), config);
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
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
  const ready = await waitFor(
    async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok === true,
    20_000,
  );
  assert.ok(ready, 'prometheus became ready');
}

async function query<T>(path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${promUrl}${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: T } };
  assert.equal(body.status, 'success', `${params.query}: ${body.error ?? ''}`);
  return body.data.result;
}

function rangeQuery(expr: string): Promise<RangeSeries[]> {
  return query<RangeSeries[]>('/api/v1/query_range', {
    query: expr.replaceAll('$__rate_interval', RATE_INTERVAL),
    start: String(loadStart / 1000),
    end: String(loadEnd / 1000 + 5),
    step: '1',
  });
}

const finiteValues = (series: RangeSeries[]) =>
  series.flatMap((s) => s.values.map(([, v]) => Number(v)).filter(Number.isFinite));

before(async () => {
  if (skip) return;
  backends = testBackends('dash');
  // The compose topology: an intake with no workers, and a worker process slower than the load.
  intake = await startTestService(backends, { mode: 'queue', workers: '0' });
  const workerCfg = readConfig(
    WORKER_SPEC,
    { port: '0', workers: '2', processRps: '25', workMs: '5' },
    backends.env,
  );
  worker = await startOrders(workerCfg, silentLogger(), false);
  await startPrometheus({ intake: new URL(intake.url).host, worker: new URL(worker.url).host });
  const bothUp = await waitFor(async () => {
    const up = await query<Array<{ value: [number, string] }>>('/api/v1/query', { query: 'up' });
    return up.length === 2 && up.every((s) => s.value[1] === '1');
  }, 15_000);
  assert.ok(bothUp, 'prometheus scrapes the intake and the worker');

  // 8 s at ~50 orders/s, one in ten invalid: a backlog builds (workers do 25/s) and 400s show.
  loadStart = Date.now();
  for (let i = 0; Date.now() - loadStart < 8000; i++) {
    const body = i % 10 === 9 ? { ...GOOD_ORDER, count: 101 } : GOOD_ORDER;
    await Promise.all([postOrder(intake.url, body), new Promise((r) => setTimeout(r, 20))]);
  }
  loadEnd = Date.now();
  // Let Prometheus take the last scrapes of the load.
  await new Promise((r) => setTimeout(r, 2500));
});

after(async () => {
  if (skip) return;
  prometheus?.kill('SIGTERM');
  await Promise.allSettled([intake?.close(), worker?.close()]);
  await backends?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('every query of the Grafana dashboard returns data from a real Prometheus', { skip }, async () => {
  const dashboard = JSON.parse(await readFile(new URL('grafana/dashboards/orders.json', DEPLOY), 'utf8')) as {
    panels: Panel[];
  };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
  assert.ok(exprs.length >= 8, 'the dashboard has its panels');
  for (const { panel, expr } of exprs) {
    const series = await rangeQuery(expr);
    assert.ok(finiteValues(series).length > 0, `"${panel}": ${expr} returned no data`);
  }
});

test('the seed graph: responses by status show the 200s and the 400s', { skip }, async () => {
  const series = await rangeQuery(
    'sum by (status) (rate(http_requests_total{route="/orders"}[$__rate_interval]))',
  );
  const statuses = new Set(series.map((s) => s.metric.status));
  assert.ok(statuses.has('200') && statuses.has('400'), `statuses: ${[...statuses].join(', ')}`);
});

test('queue depth rises while the workers lag behind, and Work Done counts the processed', {
  skip,
}, async () => {
  const depth = finiteValues(await rangeQuery('max(orders_queue_depth)'));
  assert.ok(Math.max(...depth) > 0, `peak depth ${Math.max(...depth)}`);
  const done = await rangeQuery('sum by (status) (rate(work_done_total[$__rate_interval]))');
  const doneRate = finiteValues(done.filter((s) => s.metric.status === 'done'));
  assert.ok(Math.max(...doneRate) > 5, `Work Done rate peaks at ${Math.max(...doneRate)}/s`);
});
