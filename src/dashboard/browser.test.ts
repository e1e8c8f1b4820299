/**
 * The dashboard end to end, in Debian's Chromium: a real `peaklab serve orders` (queue mode, embedded
 * PGlite) under load, the dashboard scraping it and showing the load's own numbers. Every chart must
 * draw data; killing the service must show the banner and a gap, and a restart must bring it back;
 * the exported snapshot must open offline with the same charts. A screenshot is kept in artifacts/.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { type ChildService, PEAKLAB_BIN, spawnPeaklab } from '../shared/child-service.js';
import { launchChromium, needChromium } from '../testing/browser.js';
import { childEnv } from '../testing/env.js';
import { type Dashboard, SERVER_PANELS, startDashboard } from './mod.js';
import { ORDER_LOAD_SCRIPT, readLoadLines } from './order-load.testing.js';

const ARTIFACTS = join(dirname(dirname(PEAKLAB_BIN)), 'artifacts');

interface Drawn {
  id: string;
  panel: string;
  group: string;
  points: number;
  series: { label: string; points: number; gaps: number }[];
}

interface PageState {
  mode: string;
  banners: string[];
  updates: number;
  connected: boolean;
}

const charts = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __PEAKLAB_CHARTS__?: Drawn[] }).__PEAKLAB_CHARTS__ ?? []);
const pageState = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __PEAKLAB_DASHBOARD__?: PageState }).__PEAKLAB_DASHBOARD__);

async function until<T>(
  page: Page,
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      last = await charts(page);
      throw new Error(`timed out waiting for ${what}; charts: ${JSON.stringify(last).slice(0, 1500)}`);
    }
    await page.waitForTimeout(250);
  }
}

const EXPECTED = [
  ...SERVER_PANELS.map((p) => `chart-t0-${p.id}`),
  'chart-client-client-rate',
  'chart-client-client-latency',
  'chart-client-client-errors',
  'chart-client-client-lag',
];

/** Every expected chart is on the page, and every series of it has drawn points. */
function allDrawn(drawn: Drawn[]): boolean {
  return EXPECTED.every((id) => {
    const c = drawn.find((d) => d.id === id);
    return c !== undefined && c.series.length > 0 && c.series.every((s) => s.points > 0);
  });
}

function serve(port: number, dataDir: string): Promise<ChildService> {
  const args = ['serve', 'orders', '--mode', 'queue', '--port', String(port), '--data-dir', dataDir];
  // Embedded backends whatever the caller's environment says; a backlog builds at 20/s over 12/s.
  return spawnPeaklab([...args, '--process-rps', '12', '--log-level', 'warn'], {
    env: childEnv({ DATABASE_URL: '', NATS_URL: '', LOG_LEVEL: undefined }),
  });
}

test('the live dashboard draws a service under load, shows its outage, recovers, and exports a snapshot', {
  ...needChromium(),
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-dashboard-'));
  let service = await serve(0, join(dir, 'pg-1'));
  const port = Number(new URL(service.url as string).port);
  let dashboard: Dashboard | undefined;
  let seconds = 0;
  // The load runs in its own process: on a busy machine, sharing this one would starve the scrapes.
  const load = spawn(process.execPath, [ORDER_LOAD_SCRIPT, service.url as string, '20'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  readLoadLines(load.stdout, (second, stats) => {
    seconds++;
    dashboard?.pushClient(second, stats);
  });
  const browser = await launchChromium();
  try {
    dashboard = await startDashboard({ targets: [`orders=${service.url}`], port: 0, windowSeconds: 300 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const origin = new URL(dashboard.url).origin;
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin)) return route.continue();
      outside.push(url);
      return route.abort();
    });
    await page.goto(dashboard.url);

    // 1. Every chart, server and client, draws data.
    await until(page, 'every chart drawn with data', async () =>
      allDrawn(await charts(page)) ? true : undefined,
    );
    const live = await pageState(page);
    assert.equal(live?.mode, 'live');
    assert.equal(live?.connected, true);
    assert.deepEqual(live?.banners, []);

    // 2. Kill the service: the banner names it, and its charts stop.
    await service.stop('SIGKILL');
    const banner = await until(page, 'the outage banner', async () =>
      (await pageState(page))?.banners.find((b) => b.startsWith('Target orders is down since')),
    );
    assert.match(banner, /: GET http:\/\/127\.0\.0\.1:\d+\/metrics: .* \(PL_TARGET_UNREACHABLE\)$/);
    // Shown, not only in the state; its detail may have moved on between the two reads
    // (read ECONNRESET on the first failed scrape, connect ECONNREFUSED on the next).
    const shown = (await page.locator('.banner.down').first().textContent()) ?? '';
    assert.match(
      shown,
      /^Target orders is down since .*: GET http:\/\/127\.0\.0\.1:\d+\/metrics: .* \(PL_TARGET_UNREACHABLE\)$/,
      'the banner is shown',
    );
    await page.waitForTimeout(3000);

    // 3. Restart it on the same port: the banner goes, the charts go on after a gap.
    service = await serve(port, join(dir, 'pg-2'));
    const recovered = await until(page, 'recovery after a gap', async () => {
      const drawn = await charts(page);
      const state = await pageState(page);
      const heap = drawn.find((c) => c.id === 'chart-t0-heap')?.series[0];
      const rate = drawn
        .find((c) => c.id === 'chart-t0-rate')
        ?.series.find((s) => s.label === 'POST /orders');
      const ok = state?.banners.length === 0 && (heap?.gaps ?? 0) >= 1 && (rate?.gaps ?? 0) >= 1;
      return ok ? drawn : undefined;
    });
    assert.ok(allDrawn(recovered), 'every chart still drawn after the restart');
    await page.waitForTimeout(2000); // a few seconds after the gap, for the screenshot
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    // 4. The export button saves a snapshot that opens offline with the same charts.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const file = join(dir, 'snapshot.html');
    await download.saveAs(file);
    const offline = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const requested: string[] = [];
    await offline.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requested.push(url);
      return route.abort();
    });
    offline.on('pageerror', (e) => errors.push(`snapshot: ${e.message}`));
    await offline.goto(pathToFileURL(file).href);
    const snap = await until(offline, 'the snapshot drawn', async () => {
      const drawn = await charts(offline);
      return allDrawn(drawn) ? drawn : undefined;
    });
    assert.equal((await pageState(offline))?.mode, 'snapshot');
    assert.ok(
      (snap.find((c) => c.id === 'chart-t0-heap')?.series[0]?.gaps ?? 0) >= 1,
      'the snapshot keeps the outage gap',
    );
    assert.deepEqual(requested, [], 'the snapshot requests nothing');
    assert.deepEqual(outside, [], 'the live page loads nothing from outside its server');
    assert.deepEqual(errors, []);
    assert.ok(seconds > 0, 'the load reported its seconds');
  } finally {
    load.kill('SIGTERM');
    await browser.close();
    await dashboard?.close();
    await service.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
});
