import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPeaklabError } from '../shared/errors.js';
import { launchChromium, needChromium } from '../testing/browser.js';
import { type Dashboard, type DashboardData, startDashboard } from './mod.js';
import { countingTarget, serveTarget, type TestTarget } from './targets.testing.js';

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function group(data: DashboardData, title: string) {
  const g = data.groups.find((x) => x.title === title || x.url?.startsWith(title));
  assert.ok(g, `no group ${title} in ${data.groups.map((x) => x.title).join(', ')}`);
  return g;
}

function values(data: DashboardData, groupId: string, panel: string, label: string): (number | null)[] {
  return data.series.find((s) => s.group === groupId && s.panel === panel && s.label === label)?.values ?? [];
}

async function withDashboard(targets: string[], fn: (d: Dashboard) => Promise<void>, extra = {}) {
  const d = await startDashboard({ targets, port: 0, windowSeconds: 60, ...extra });
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

test('bad targets are refused at start-up, all named in one error', async () => {
  await assert.rejects(
    startDashboard({
      targets: ['localhost:8080', 'ftp://x/metrics', 'bad name!=http://x', 'http://a/#f'],
      port: 0,
    }),
    (err) =>
      isPeaklabError(err, 'PL_CONFIG_INVALID') &&
      /"localhost:8080": only http/.test(err.message) &&
      /"ftp:\/\/x\/metrics": only http/.test(err.message) &&
      /"bad name!=http:\/\/x": a name is 1-40/.test(err.message) &&
      /fragment/.test(err.message),
  );
  await assert.rejects(
    startDashboard({ targets: ['http://h:1', 'http://h:1/metrics'], port: 0 }),
    /given twice/,
  );
  await assert.rejects(startDashboard({ targets: [], port: 0, windowSeconds: 5 }), /window \(seconds\) 5/);
});

test('a port in use is a clear error, not a crash', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    await assert.rejects(
      startDashboard({ targets: [], port }),
      (err) =>
        isPeaklabError(err, 'PL_CONFIG_INVALID') &&
        err.message.includes(`127.0.0.1:${port} is already in use`),
    );
  } finally {
    blocker.close();
  }
});

test('garbage, oversized, over-counted and stalled targets are banners; a good target charts on', async () => {
  const good = await countingTarget();
  const html = await serveTarget((_q, r) =>
    r.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>'),
  );
  const huge = await serveTarget((_q, r) => r.writeHead(200).end(`a 1\n${'#'.repeat(2 * 1024 * 1024)}`));
  const many = await serveTarget((_q, r) => {
    r.writeHead(200).end(Array.from({ length: 600 }, (_, i) => `m{i="${i}"} 1`).join('\n'));
  });
  const stalled = await serveTarget(() => {
    // Never answers.
  });
  const all: TestTarget[] = [good, html, huge, many, stalled];
  try {
    const targets = [`good=${good.url}`, html.url, huge.url, many.url, stalled.url];
    await withDashboard(
      targets,
      async (d) => {
        const data = await waitFor('every target judged, and 4 s of the good one', () => {
          const now = d.data();
          const rate = values(now, 't0', 'rate', 'GET /orders').filter((v) => v !== null);
          return now.groups.every((g) => g.up !== null) && rate.length >= 5 ? now : undefined;
        });
        assert.equal(group(data, 'good').up, true);
        assert.match(
          group(data, html.url).error ?? '',
          /no Prometheus samples in the answer \(PL_TARGET_INVALID\)/,
        );
        assert.match(group(data, huge.url).error ?? '', /larger than 1048576 bytes/);
        assert.match(group(data, many.url).error ?? '', /more than 500 samples/);
        assert.match(group(data, stalled.url).error ?? '', /timed out/);
        // The stalled target waits out its timeout each second; the good one still gets every second.
        const rate = values(data, 't0', 'rate', 'GET /orders');
        const lastFour = rate.slice(-5, -1);
        assert.ok(
          lastFour.every((v) => v !== null && v > 5),
          `a value each second: ${rate.join(',')}`,
        );
        assert.ok(
          data.x.length >= 4 && data.x.every((s, i) => i === 0 || s === (data.x[i - 1] as number) + 1),
        );
      },
      { maxBodyBytes: 1024 * 1024, maxSamples: 500 },
    );
  } finally {
    await Promise.all(all.map((t) => t.close()));
  }
});

test('the page and the snapshot escape every label; the CSP forbids any outside load', async () => {
  const hostile = '</script><script>window.__pwned=1</script>"\'&';
  const target = await countingTarget(hostile);
  try {
    await withDashboard([target.url], async (d) => {
      await waitFor('a rate', () => values(d.data(), 't0', 'rate', `GET ${hostile}`).some((v) => v !== null));
      for (const path of ['', 'snapshot.html']) {
        const res = await fetch(d.url + path);
        const html = await res.text();
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
        assert.equal(
          html.includes('</script><script>window.__pwned'),
          false,
          `${path}: hostile text escaped`,
        );
        assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'self-contained');
        assert.match(html, /Content-Security-Policy/);
      }
      const snap = await fetch(`${d.url}snapshot.html`);
      assert.match(
        snap.headers.get('content-disposition') ?? '',
        /filename="peaklab-dashboard-\d{8}T\d{6}\.html"/,
      );
      assert.equal((await fetch(`${d.url}nope`)).status, 404);
      assert.equal((await fetch(d.url, { method: 'POST' })).status, 405);
    });
  } finally {
    await target.close();
  }
});

test('in Chromium, a hostile label is shown as text and runs nothing', needChromium(), async () => {
  const hostile = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>';
  const target = await countingTarget(hostile);
  const browser = await launchChromium();
  try {
    await withDashboard([target.url], async (d) => {
      await waitFor('a rate', () => values(d.data(), 't0', 'rate', `GET ${hostile}`).some((v) => v !== null));
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(d.url);
      await page.waitForSelector('#chart-t0-rate .u-legend');
      const legend = await page.locator('#chart-t0-rate .u-legend').textContent();
      assert.ok(legend?.includes(`GET ${hostile}`), `the label is shown literally: ${legend}`);
      assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
      assert.equal(await page.locator('img').count(), 0, 'no element was made from the label');
      assert.deepEqual(errors, []);
    });
  } finally {
    await browser.close();
    await target.close();
  }
});

test('the event stream sends the whole state, then one points event per second; close() ends it', async () => {
  const target = await countingTarget();
  try {
    const d = await startDashboard({ targets: [target.url], port: 0, windowSeconds: 30 });
    const res = await fetch(`${d.url}events`);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 8000;
    while ((text.match(/event: points/g) ?? []).length < 2 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    assert.match(text, /^retry: 1000\n\nevent: init\ndata: \{/);
    const points = text
      .split('event: points\ndata: ')
      .slice(1)
      .map((f) => JSON.parse(f.split('\n')[0] as string));
    assert.ok(points.length >= 2, text.slice(0, 500));
    assert.equal(points[1].second, points[0].second + 1, 'consecutive seconds');
    const t0 = Date.now();
    await d.close();
    assert.ok(Date.now() - t0 < 2000, 'close does not wait for the open stream');
    const rest = await reader.read().catch(() => ({ done: true }));
    assert.equal(rest.done, true, 'the stream ended');
  } finally {
    await target.close();
  }
});

test('pushClient puts the load generator on the same time axis, in its own section', async () => {
  const target = await countingTarget();
  try {
    await withDashboard([target.url], async (d) => {
      const first = await waitFor('a second on the axis', () => d.data().x.at(-1));
      d.pushClient(first, {
        targetRate: 200,
        started: 199,
        p50: 4,
        p99: 80,
        errorsByKind: { timeout: 3, '<b>x</b>': 1 },
        schedulingLag: 0.5,
      });
      d.pushClient(Date.now(), {
        targetRate: 1,
        started: 1,
        p50: null,
        p99: null,
        errorsByKind: {},
        schedulingLag: null,
      });
      const data = d.data();
      const client = data.groups.find((g) => g.kind === 'client');
      assert.ok(client, 'a client section');
      const at = data.x.indexOf(first);
      assert.ok(at >= 0);
      assert.equal(values(data, 'client', 'client-rate', 'target')[at], 200);
      assert.equal(values(data, 'client', 'client-latency', 'p99')[at], 80);
      assert.equal(values(data, 'client', 'client-errors', 'all errors')[at], 4);
      assert.equal(values(data, 'client', 'client-errors', '<b>x</b>')[at], 1);
      assert.equal(values(data, 'client', 'client-lag', 'scheduling lag')[at], 0.5);
      assert.match(data.notices.join(), /1 client seconds were refused/, 'ms passed as seconds is refused');
      assert.ok((data.x.at(-1) as number) < first + 60, 'the refused second did not move the time axis');
    });
  } finally {
    await target.close();
  }
});
