import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { startScraper } from './scraper.js';
import { serverLatencyByStatus } from './service-metrics.js';

/** A real prom-client registry with the orders service's metric names, served over HTTP on port 0. */
async function fakeService() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'r', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'd',
    labelNames,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });
  const work = new Counter({
    name: 'work_done_total',
    help: 'w',
    labelNames: ['status'],
    registers: [registry],
  });
  const depth = new Gauge({ name: 'orders_queue_depth', help: 'q', registers: [registry] });
  const server: Server = createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/metrics`, server, requests, duration, work, depth };
}

test('the scraper samples a real /metrics each second and reads counters, gauges and labels', async () => {
  const svc = await fakeService();
  const startedAt = Date.now();
  const scraper = startScraper({ url: svc.url, startedAt, intervalMs: 250 });
  try {
    for (let i = 0; i < 8; i++) {
      svc.requests.inc({ method: 'POST', route: '/orders', status: '200' }, 10);
      svc.requests.inc({ method: 'POST', route: '/orders', status: '500' }, 3);
      svc.requests.inc({ method: 'GET', route: '/metrics', status: '200' });
      svc.work.inc({ status: 'done' }, 10);
      svc.work.inc({ status: 'error' }, 3);
      svc.depth.set(i * 5);
      await sleep(125);
    }
    const last = await scraper.scrapeNow();
    assert.ok(last.metrics, 'the closing scrape succeeded');
    assert.deepEqual(last.metrics.httpByStatus, { '200': 80, '500': 24 }, 'only POST /orders, by status');
    assert.equal(last.metrics.workDone, 80);
    assert.equal(last.metrics.workError, 24);
    assert.equal(last.metrics.queueDepth, 35);
    assert.ok(last.metrics.rssBytes > 0, 'default process metrics are read');
    assert.ok(last.metrics.cpuSeconds > 0);

    const ok = scraper.samples.filter((s) => s.metrics !== null);
    assert.ok(ok.length >= 4, `at least 4 scrapes in ~1 s at 250 ms, got ${ok.length}`);
    for (let i = 1; i < ok.length; i++) {
      const [a, b] = [ok[i - 1]!, ok[i]!];
      assert.ok(b.atMs >= a.atMs, 'samples are in time order');
      assert.ok(b.metrics!.workDone >= a.metrics!.workDone, 'a counter never goes down');
    }
    // Aligned to the interval: no sample lands far from a multiple of 250 ms (tolerant of a noisy box).
    const offGrid = ok.slice(0, -1).filter((s) => Math.abs(s.atMs - Math.round(s.atMs / 250) * 250) > 100);
    assert.ok(offGrid.length <= 1, `samples stay on the grid: ${ok.map((s) => s.atMs).join(',')}`);
  } finally {
    scraper.stop();
    svc.server.close();
  }
});

test('a failed scrape is a gap, never an exception', async () => {
  const svc = await fakeService();
  svc.server.close();
  await sleep(20);
  const scraper = startScraper({ url: svc.url, startedAt: Date.now(), intervalMs: 100 });
  await sleep(250);
  scraper.stop();
  const sample = await scraper.scrapeNow();
  assert.equal(sample.metrics, null);
  assert.ok(scraper.samples.length >= 2);
  assert.ok(scraper.samples.every((s) => s.metrics === null));
});

test('server-side latency per status comes from the duration histogram buckets', async () => {
  const svc = await fakeService();
  try {
    for (let i = 0; i < 100; i++) {
      svc.duration.observe({ method: 'POST', route: '/orders', status: '200' }, i < 90 ? 0.03 : 0.3);
      svc.duration.observe({ method: 'POST', route: '/orders', status: '500' }, 0.001);
    }
    svc.duration.observe({ method: 'GET', route: '/healthz', status: '200' }, 0.9);
    const scraper = startScraper({ url: svc.url, startedAt: Date.now(), intervalMs: 1000 });
    scraper.stop();
    await scraper.scrapeNow();
    const byStatus = serverLatencyByStatus(scraper.lastRaw());
    assert.deepEqual(Object.keys(byStatus).sort(), ['200', '500']);
    assert.equal(byStatus['200']?.count, 100);
    const p50 = byStatus['200']?.p50Ms ?? 0;
    const p99 = byStatus['200']?.p99Ms ?? 0;
    assert.ok(p50 > 10 && p50 <= 50, `p50 in the 10..50 ms bucket, got ${p50}`);
    assert.ok(p99 > 100 && p99 <= 500, `p99 in the 100..500 ms bucket, got ${p99}`);
    assert.ok((byStatus['500']?.p99Ms ?? 99) <= 5);
  } finally {
    svc.server.close();
  }
});
