import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parsePromText } from '../../scrape/mod.js';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { testBackends } from '../../testing/backends.js';
import { childEnv } from '../../testing/env.js';
import { INFLUXD, type InfluxSeries, startInfluxd, type TestInfluxd } from '../../testing/influxd.js';
import { capturingLogger } from '../../testing/logger.js';
import { needService } from '../../testing/services.js';
import { needTool } from '../../testing/tools.js';
import { waitFor } from '../../testing/wait.js';
import { influxTarget } from '../config/influx.js';
import { InfluxPusher } from './influx-push.js';

const gate = needTool(INFLUXD, 'apt-get install influxdb');
const pgGate = await needService('postgres');
let influx: TestInfluxd;

before(async () => {
  if (!gate.skip) influx = await startInfluxd();
});
after(async () => influx?.stop());

/** `name{k="v",...}` with labels sorted and empty ones dropped: one key for both worlds. */
function key(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${pairs.join(',')}}`;
}

/** The points InfluxDB holds at `stamp` (ms), as key -> value; the `service` tag is left out. */
async function pointsAt(db: string, stamp: number): Promise<Map<string, number>> {
  const series = await influx.query(`SELECT value FROM /.*/ WHERE time = ${stamp}ms GROUP BY *`, db);
  const out = new Map<string, number>();
  for (const s of series) {
    const { service: _service, ...tags } = s.tags ?? {};
    for (const [, value] of s.values) out.set(key(s.name, tags), Number(value));
  }
  return out;
}

/** The first push stamped at or after `sinceMs`. */
async function firstPushSince(db: string, sinceMs: number): Promise<number | undefined> {
  let stamp: number | undefined;
  await waitFor(async () => {
    const series: InfluxSeries[] = await influx.query(
      `SELECT value FROM http_requests_total WHERE time >= ${sinceMs}ms ORDER BY time ASC LIMIT 1`,
      db,
    );
    stamp = series[0]?.values[0]?.[0] as number | undefined;
    return stamp !== undefined;
  }, 10_000);
  return stamp;
}

/** Process and runtime metrics move on their own between a scrape and a push. */
const VOLATILE = /^(process_|nodejs_)/;

test('serve orders --influx-*: the values written equal the values scraped, and the stop pushes a last time', {
  skip: gate.skip || pgGate.skip,
  timeout: 60_000,
}, async (t) => {
  const db = `peaklab_${process.pid}_${Date.now()}`;
  await influx.query(`CREATE DATABASE "${db}"`);
  const backends = testBackends('influx');
  let svc: ChildService | undefined;
  try {
    const args = ['serve', 'orders', '--port', '0', '--mode', 'direct', '--work-ms', '0'];
    const influxArgs = ['--influx-url', influx.url, '--influx-db', db, '--influx-interval', '2s'];
    svc = await spawnPeaklab([...args, ...influxArgs], { env: childEnv(backends.env) });
    const url = svc.url as string;
    const post = (body: string) =>
      fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // Traffic with several label sets: accepted orders and refused bodies.
    for (let i = 0; i < 6; i++) await (await post(`{"product_id":${i},"count":1,"username":"u${i}"}`)).text();
    for (let i = 0; i < 3; i++) await (await post('{"product_id":"x"}')).text();

    // The moment: one scrape, then the first push whose registry read came after it.
    await new Promise((r) => setTimeout(r, 200));
    const scraped = parsePromText(await (await fetch(`${url}/metrics`)).text());
    await new Promise((r) => setTimeout(r, 100));
    const stamp = await firstPushSince(db, Date.now());
    assert.ok(stamp !== undefined, 'a push arrived within 10 s');
    const written = await pointsAt(db, stamp);

    let exact = 0;
    const scrapedKeys = new Set<string>();
    for (const s of scraped) {
      const k = key(s.name, s.labels);
      scrapedKeys.add(k);
      if (!Number.isFinite(s.value)) {
        assert.equal(written.has(k), false, `${k}: NaN/Inf is not written`);
        continue;
      }
      assert.ok(written.has(k), `${k} was scraped but not written`);
      if (VOLATILE.test(s.name)) continue;
      // The scrape itself is one more GET /metrics by the time of the push.
      const self = s.labels.route === '/metrics';
      if (self && (s.name === 'http_requests_total' || s.name.endsWith('_count'))) {
        assert.equal(written.get(k), s.value + 1, `${k}: the scrape counted once more`);
      } else if (!self) {
        assert.equal(written.get(k), s.value, `${k}: written = scraped`);
        exact++;
      }
    }
    for (const [k, v] of written) {
      if (scrapedKeys.has(k) || VOLATILE.test(k)) continue;
      // Only the scrape's own first series may be new: its count is 1.
      assert.match(k, /route="\/metrics"/, `${k} was written but not scraped`);
      if (/^http_requests_total|_count\{/.test(k)) assert.equal(v, 1, k);
    }
    assert.ok(exact >= 40, `compared ${exact} series exactly`);
    const ordersOk = key('http_requests_total', { method: 'POST', route: '/orders', status: '200' });
    assert.equal(written.get(ordersOk), 6, 'the 6 accepted orders');

    // The final push: two more orders, then SIGTERM long before the next 2 s tick.
    const stopAt = Date.now();
    for (let i = 0; i < 2; i++) await (await post(`{"product_id":1,"count":1,"username":"z${i}"}`)).text();
    assert.equal(await svc.stop(), 0, 'a clean stop');
    const exitedIn = Date.now() - stopAt;
    const last = await firstPushSince(db, stopAt);
    assert.ok(last !== undefined, 'a point written after the stop began');
    assert.equal((await pointsAt(db, last)).get(ordersOk), 8, 'the final push carries the last orders');
    t.diagnostic(`${exact} series equal; exited ${exitedIn} ms after the last orders (tick every 2 s)`);
  } finally {
    await svc?.stop('SIGKILL');
    await backends.cleanup();
  }
});

test('hostile label values and names round-trip through InfluxDB', { skip: gate.skip }, async () => {
  const db = `peaklab_hostile_${process.pid}`;
  await influx.query(`CREATE DATABASE "${db}"`);
  const registry = new Registry();
  const values = ['a b', 'a,b', 'a=b', 'x\\y', 'line\nbreak', '"quoted"', 'émoji 🚀'];
  const c = new Counter({ name: 'hostile_total', help: 'h', labelNames: ['v', 'i'], registers: [registry] });
  for (const [i, v] of values.entries()) c.inc({ v, i: String(i) }, i + 1);
  new Gauge({ name: 'nan_gauge', help: 'h', registers: [registry] }).set(Number.NaN);
  new Histogram({ name: 'h_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] }).observe(0.5);
  const target = influxTarget({
    influxUrl: influx.url,
    influxDb: db,
    influxBucket: undefined,
    influxOrg: undefined,
    influxToken: undefined,
    influxInterval: 1000,
  });
  const lines: Array<Record<string, unknown>> = [];
  const pusher = new InfluxPusher({ registry, target: target!, logger: capturingLogger(lines) });
  assert.equal(await pusher.pushNow(), true, JSON.stringify(lines));
  const got = await influx.query('SELECT value FROM hostile_total GROUP BY *', db);
  const byIndex = new Map(got.map((s) => [s.tags?.i, { v: s.tags?.v, value: s.values[0]?.[1] }]));
  values.forEach((v, i) => {
    assert.deepEqual(
      byIndex.get(String(i)),
      { v: v.replace('\n', ' '), value: i + 1 },
      `label ${JSON.stringify(v)}`,
    );
  });
  assert.deepEqual(await influx.query('SELECT value FROM nan_gauge', db), [], 'NaN is not written');
  const buckets = await influx.query('SELECT value FROM h_seconds_bucket GROUP BY le', db);
  assert.deepEqual(Object.fromEntries(buckets.map((s) => [s.tags?.le, s.values[0]?.[1]])), {
    '0.1': 0,
    '1': 1,
    '+Inf': 1,
  });
  await pusher.close();
});
