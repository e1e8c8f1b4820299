import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { counterClient, increment } from '../services/counter/testing/client.js';
import { testBackends } from '../testing/backends.js';
import { TEST_ENV } from '../testing/env.js';
import { deleteKeys } from '../testing/redis.js';
import { needService, uniqueName } from '../testing/services.js';
import { needTool } from '../testing/tools.js';
import {
  alertSignal,
  interpolateCompose,
  parseCompose,
  readComposeText,
  readDashboards,
  readRules,
} from './artifacts.testing.js';
import { type LiveStack, PROMETHEUS, poll, startLiveStack } from './live-stack.testing.js';

/**
 * Everything deploy/ charts and alerts on, against real data: the compose topology's peaklab
 * services (orders intake and worker, sale, counter, tickets, started from compose.yaml's commands
 * and environment), orders under load, scraped by a real Prometheus on the shipped prometheus.yml and rules. Every expression of
 * every dashboard, every recording rule and every alert's signal must return data over the load:
 * a panel that charts nothing is a defect. Expressions on the metrics still being added by the
 * platform work (AWAITED) are reported in a separate test that is marked todo while the services
 * do not export them, and becomes an ordinary test the moment they do.
 */

const AWAITED = [
  'orders_queue_oldest_age_seconds',
  'orders_dlq_depth',
  'jetstream_stream_messages',
  'jetstream_stream_bytes',
  'jetstream_consumer_pending_messages',
  'jetstream_consumer_ack_pending_messages',
  'jetstream_consumer_redelivered_messages',
];
// Grafana's $__rate_interval is max(4 × scrape interval, step + scrape interval): 4 s at 1 s.
const GRAFANA_VARS: Record<string, string> = { $__rate_interval: '4s' };
// The compose variables a user sets for a backlog: workers slower than the load.
const LOAD_VARS = {
  ORDERS_WORKER_PROCESS_RPS: '25',
  ORDERS_WORKER_WORK_MS: '5',
  ORDERS_WORKER_CONCURRENCY: '4',
};
const LOAD_RPS = 50;
const LOAD_MS = 10_000;
const COUNTER_RPS = 20;
const GOOD = { product_id: '33', count: '3', username: 'maksim.konovalov' };

const pgGate = await needService('postgres');
const natsGate = await needService('nats');
const redisGate = await needService('redis');
const promGate = needTool(PROMETHEUS, 'apt-get install prometheus');
const skip = pgGate.skip || natsGate.skip || redisGate.skip || promGate.skip;

interface Expr {
  source: string;
  expr: string;
}
interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

// sale's keys and counter's total (REDIS_KEY) live under this prefix, deleted after the test.
const REDIS_PREFIX = uniqueName('deploy');
let stack: LiveStack | undefined;
const backends = skip ? undefined : testBackends('deploy');
after(async () => {
  await stack?.close();
  await backends?.cleanup();
  if (!skip) await deleteKeys(REDIS_PREFIX);
});

async function query<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${stack?.promUrl}${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; error?: string; data: T };
  if (body.status !== 'success') throw new Error(`${params.query ?? path}: ${body.error ?? res.status}`);
  return body.data;
}

/** Sends POST /orders at `rps` for `ms` on an open schedule, one in ten invalid; counts statuses. */
async function load(url: string, rps: number, ms: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const start = Date.now();
  const sent: Array<Promise<void>> = [];
  for (let i = 0; i < (rps * ms) / 1000; i++) {
    const wait = start + (i * 1000) / rps - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = i % 10 === 9 ? { ...GOOD, count: 101 } : GOOD;
    sent.push(
      fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        },
        () => {
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(sent);
  return statuses;
}

/** Sends counter increments at `rps` for `ms` on an open schedule; counts OK and failed calls. */
async function loadCounter(
  address: string,
  rps: number,
  ms: number,
): Promise<{ ok: number; failed: number }> {
  const client = counterClient(address);
  const out = { ok: 0, failed: 0 };
  const start = Date.now();
  const sent: Array<Promise<void>> = [];
  try {
    for (let i = 0; i < (rps * ms) / 1000; i++) {
      const wait = start + (i * 1000) / rps - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sent.push(
        increment(client, 1).then(
          () => {
            out.ok++;
          },
          () => {
            out.failed++;
          },
        ),
      );
    }
    await Promise.all(sent);
  } finally {
    client.close();
  }
  return out;
}

let loadStart = 0;
let loadEnd = 0;
let statuses = new Map<number, number>();
let counterCalls = { ok: 0, failed: 0 };
let exported = '';

async function setUp(): Promise<void> {
  if (skip || backends === undefined) return;
  const compose = interpolateCompose(parseCompose(await readComposeText()), LOAD_VARS);
  stack = await startLiveStack(compose, {
    env: {
      ...backends.env,
      REDIS_URL: TEST_ENV.redisUrl,
      REDIS_PREFIX: REDIS_PREFIX,
      REDIS_KEY: `${REDIS_PREFIX}:counter`,
      PORT: '0',
      LISTEN_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // Tracing has its own test with a collector; here nothing listens for traces.
      OTEL_TRACES_EXPORTER: 'none',
    },
  });
  const live = stack;
  const allUp = await poll(async () => {
    const up = await query<{ result: Array<{ value: [number, string] }> }>('/api/v1/query', { query: 'up' });
    return up.result.length === live.keptJobs.length && up.result.every((s) => s.value[1] === '1');
  }, 30_000);
  assert.ok(allUp, `Prometheus scrapes every kept job (${live.keptJobs.join(', ')})`);
  const intake = live.urls.get('orders') as string;
  loadStart = Date.now();
  // counter (gRPC) under load too, so the RED panels' gRPC series chart something.
  const counter = new URL(live.announced.get('counter') as string).host;
  [statuses, counterCalls] = await Promise.all([
    load(intake, LOAD_RPS, LOAD_MS),
    loadCounter(counter, COUNTER_RPS, LOAD_MS),
  ]);
  loadEnd = Date.now();
  // The last scrapes and rule evaluations of the load.
  await new Promise((r) => setTimeout(r, 3000));
  for (const url of live.urls.values()) exported += await (await fetch(`${url}/metrics`)).text();
}

// Set up here rather than in before(): which metrics the services export decides, at registration,
// whether the test of the awaited expressions is a todo.
try {
  await setUp();
} catch (err) {
  await stack?.close();
  await backends?.cleanup();
  throw err;
}

/** Every expression deploy/ ships: dashboard targets, recording rules (and their output), alerts. */
async function shippedExpressions(): Promise<Expr[]> {
  const out: Expr[] = [];
  for (const [file, dash] of await readDashboards()) {
    for (const panel of dash.panels) {
      for (const t of panel.targets ?? []) {
        if (t.expr !== undefined) out.push({ source: `${file} "${panel.title}"`, expr: t.expr });
      }
    }
  }
  for (const rule of await readRules()) {
    if (rule.record !== undefined) {
      out.push({ source: `${rule.file} record ${rule.record}`, expr: rule.expr });
      out.push({ source: `${rule.file} recorded ${rule.record}`, expr: rule.record });
    } else {
      out.push({ source: `${rule.file} alert ${rule.alert} (signal)`, expr: alertSignal(rule.expr).bool });
    }
  }
  return out;
}

function withGrafanaVars(expr: string): string {
  let out = expr;
  for (const [name, value] of Object.entries(GRAFANA_VARS)) out = out.replaceAll(name, value);
  const unknown = /\$\{?\w+/.exec(out);
  if (unknown) throw new Error(`unknown dashboard variable ${unknown[0]} in ${expr}`);
  return out;
}

/** Metric names (awaited ones, and recording rules built on them) an expression depends on. */
async function awaitedIn(expr: string): Promise<string[]> {
  const recorded = (await readRules()).filter((r) => r.record !== undefined);
  const uses = (text: string, name: string) =>
    new RegExp(`(^|[^a-zA-Z0-9_:])${name}($|[^a-zA-Z0-9_:])`).test(text);
  const found = new Set(AWAITED.filter((m) => uses(expr, m)));
  for (const r of recorded) {
    if (uses(expr, r.record as string)) for (const m of AWAITED) if (uses(r.expr, m)) found.add(m);
  }
  return [...found];
}

/** The expressions, split into those that must chart now and those waiting on AWAITED metrics. */
async function evaluateAll(): Promise<{ empty: string[]; emptyAwaited: string[]; count: number }> {
  const empty: string[] = [];
  const emptyAwaited: string[] = [];
  const exprs = await shippedExpressions();
  for (const { source, expr } of exprs) {
    const data = await query<{ result: RangeSeries[] }>('/api/v1/query_range', {
      query: withGrafanaVars(expr),
      start: String(loadStart / 1000),
      end: String((loadEnd + 3000) / 1000),
      step: '1',
    });
    const values = data.result.flatMap((s) => s.values.map(([, v]) => Number(v)).filter(Number.isFinite));
    if (values.length > 0) continue;
    const line = `${source}: ${expr.replace(/\s+/g, ' ').trim()}`;
    if ((await awaitedIn(expr)).length > 0) emptyAwaited.push(line);
    else empty.push(line);
  }
  return { empty, emptyAwaited, count: exprs.length };
}

let evaluation: ReturnType<typeof evaluateAll> | undefined;
/** evaluateAll, once for both tests that read it. */
function evaluated(): ReturnType<typeof evaluateAll> {
  evaluation ??= evaluateAll();
  return evaluation;
}
const missingAwaited = AWAITED.filter((m) => !new RegExp(`^# TYPE ${m} `, 'm').test(exported));

test('Prometheus runs the shipped config: every job whose service runs here is up', { skip }, () => {
  // prometheus-nats-exporter has no binary on this machine: its job is the only one left out.
  assert.deepEqual(stack?.droppedJobs, ['nats (nats-exporter does not run here)']);
  for (const job of ['orders', 'orders-worker', 'sale', 'counter', 'tickets']) {
    assert.ok(stack?.keptJobs.includes(job), `job ${job}`);
  }
  const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
  assert.equal(sent, (LOAD_RPS * LOAD_MS) / 1000, 'every request has one outcome');
  assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
  assert.deepEqual(counterCalls, { ok: (COUNTER_RPS * LOAD_MS) / 1000, failed: 0 }, 'counter: every call OK');
});

test('every dashboard panel, recording rule and alert signal returns data', { skip }, async () => {
  const { empty, count } = await evaluated();
  assert.ok(count >= 40, `${count} expressions`);
  assert.deepEqual(empty, [], 'these expressions returned no data');
});

test('expressions on the metrics being added return data', {
  skip,
  todo: missingAwaited.length > 0 && `the services do not export ${missingAwaited.join(', ')} yet`,
}, async () => {
  const { emptyAwaited } = await evaluated();
  assert.deepEqual(emptyAwaited, [], 'these expressions returned no data');
});

test('every rule evaluates without error, and no alert fires on a healthy deployment', { skip }, async () => {
  const rules = await query<{
    groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>;
  }>('/api/v1/rules');
  const all = rules.groups.flatMap((g) => g.rules);
  assert.equal(all.length, (await readRules()).length, 'Prometheus loaded every shipped rule');
  const bad = all.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
  assert.deepEqual(bad, []);
  const alerts = await query<{ alerts: Array<{ labels: { alertname: string }; state: string }> }>(
    '/api/v1/alerts',
  );
  const firing = alerts.alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname);
  assert.deepEqual(firing, []);
});

test('the seed graph: responses by status show the 200s and the 400s', { skip }, async () => {
  const data = await query<{ result: RangeSeries[] }>('/api/v1/query_range', {
    query: withGrafanaVars('sum by (status) (rate(http_requests_total{route="/orders"}[$__rate_interval]))'),
    start: String(loadStart / 1000),
    end: String((loadEnd + 3000) / 1000),
    step: '1',
  });
  const seen = new Set(data.result.map((s) => s.metric.status));
  assert.ok(seen.has('200') && seen.has('400'), `statuses: ${[...seen].join(', ')}`);
});

test('the backlog builds while the workers lag, and Work Done counts the processed', { skip }, async () => {
  const range = async (q: string) =>
    (
      await query<{ result: RangeSeries[] }>('/api/v1/query_range', {
        query: withGrafanaVars(q),
        start: String(loadStart / 1000),
        end: String((loadEnd + 3000) / 1000),
        step: '1',
      })
    ).result.flatMap((s) => s.values.map(([, v]) => Number(v)));
  const depth = Math.max(...(await range('max(orders_queue_depth)')));
  assert.ok(depth > 0, `peak depth ${depth}`);
  const done = Math.max(...(await range('sum(rate(work_done_total{status="done"}[$__rate_interval]))')));
  assert.ok(done > 5, `Work Done peaks at ${done}/s`);
});
