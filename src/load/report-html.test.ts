import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { launchChromium, needChromium } from '../testing/browser.js';
import { runLoad } from './mod.js';
import { renderLoadHtml } from './report-html.js';
import { startServer } from './testing/server.js';

test('the HTML report draws rate, status and latency charts with data, offline', needChromium(), async () => {
  const server = await startServer((_q, res, _b, n) => {
    res.statusCode = n % 4 === 0 ? 503 : 200;
    res.end('x');
  });
  let html: string;
  try {
    const r = await runLoad({ target: `${server.url}/`, rate: 'ramp:20..80', durationMs: 2000 });
    html = renderLoadHtml(r);
  } finally {
    await server.close();
  }
  const file = join(await mkdtemp(join(tmpdir(), 'peaklab-load-html-')), 'report.html');
  await writeFile(file, html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Offline: anything but the file itself is refused.
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort(),
    );
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() =>
      Array.isArray((globalThis as { __PEAKLAB_CHARTS__?: unknown }).__PEAKLAB_CHARTS__),
    );
    const charts = (await page.evaluate(
      () => (globalThis as { __PEAKLAB_CHARTS__?: unknown }).__PEAKLAB_CHARTS__,
    )) as {
      id: string;
      points: number;
      error?: string;
    }[];
    assert.deepEqual(
      charts.map((c) => [c.id, c.points > 0, c.error]),
      [
        ['rate', true, undefined],
        ['status', true, undefined],
        ['latency', true, undefined],
      ],
    );
    const text = await page.locator('main').textContent();
    assert.match(text ?? '', /intended start/);
    assert.match(text ?? '', /503/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
