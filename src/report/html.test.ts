import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { launchChromium, needChromium } from '../testing/browser.js';
import { renderHtmlReport, renderTable } from './mod.js';

const x = Array.from({ length: 30 }, (_, i) => i);
const hostile = '</script><script>window.__pwned = true</script>';

function sampleReport(): string {
  return renderHtmlReport({
    title: `Report <b>${hostile}</b>`,
    subtitle: 'a subtitle',
    sections: [
      {
        title: 'Responses',
        columns: 2,
        charts: [
          {
            id: 'status',
            title: 'Responses by status',
            x,
            stacked: true,
            series: [
              { label: '200', values: x.map((t) => 40 + (t % 5)), color: '#16a34a' },
              { label: hostile, values: x.map((t) => (t > 10 && t < 20 ? 25 : 0)), color: '#dc2626' },
              { label: 'limit', values: x.map(() => 50), dash: true },
            ],
          },
          {
            id: 'gaps',
            title: 'With gaps',
            x,
            series: [{ label: 'p99', values: x.map((t) => (t % 3 ? t : null)) }],
          },
        ],
      },
      {
        title: 'Table',
        html: renderTable({
          head: ['k', 'v'],
          rows: [
            ['a', 1.5],
            [hostile, null],
          ],
        }),
      },
    ],
  });
}

test('a report is one self-contained page: no external fetch, data escaped', () => {
  const html = sampleReport();
  assert.doesNotMatch(html, /<script[^>]+src=/);
  assert.doesNotMatch(html, /<link[^>]+href=/);
  assert.equal(html.split(hostile).length, 1, 'the hostile string never appears unescaped');
  assert.match(html, /uPlot/);
});

test('a chart whose series do not match x, or a duplicate id, is refused', () => {
  assert.throws(
    () =>
      renderHtmlReport({
        title: 't',
        sections: [
          { title: 's', charts: [{ id: 'a', title: 'a', x: [0, 1], series: [{ label: 'y', values: [1] }] }] },
        ],
      }),
    /1 values for 2 x/,
  );
  const chart = { id: 'a', title: 'a', x: [0], series: [{ label: 'y', values: [1] }] };
  assert.throws(
    () => renderHtmlReport({ title: 't', sections: [{ title: 's', charts: [chart, chart] }] }),
    /twice/,
  );
});

test(
  'the page draws every chart in Chromium, offline, and runs no injected script',
  needChromium(),
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peaklab-report-'));
    const file = join(dir, 'report.html');
    await writeFile(file, sampleReport());
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
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
          ['status', true, undefined],
          ['gaps', true, undefined],
        ],
      );
      assert.equal(await page.locator('canvas').count(), 2);
      assert.equal(await page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned), undefined);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
);
