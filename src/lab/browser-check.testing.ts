/**
 * The report check both end-to-end lab tests share: report.html opens in Chromium, every chart is drawn
 * with exactly the data of results.json, the series that carry the seed's findings show them, and a
 * screenshot is kept under artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PEAKLAB_BIN } from '../shared/child-service.js';
import { type DrawnChart, type DrawnSeries, launchChromium, openDrawnReport } from '../testing/browser.js';
import { chartPairs } from './charts.js';
import { isRejection } from './summary.js';
import type { LabResult } from './types.js';

export const ARTIFACTS = join(dirname(dirname(PEAKLAB_BIN)), 'artifacts');

/** Per chart and series, the stats the page should report for this result's data. */
export function expectedCharts(result: LabResult): DrawnChart[] {
  const settings = { ...result.settings, open: false };
  return chartPairs(result, settings).flatMap((pair) =>
    pair.charts.map((c) => {
      const series = c.series.map((s) => {
        const values = s.values.filter((v): v is number => v !== null && v !== undefined);
        const max = values.length > 0 ? Math.max(...values) : null;
        return { label: s.label, points: values.length, sum: values.reduce((a, b) => a + b, 0), max };
      });
      return { id: c.id, title: c.title, points: series.reduce((a, s) => a + s.points, 0), series };
    }),
  );
}

function chart(charts: readonly DrawnChart[], id: string): DrawnChart {
  const c = charts.find((x) => x.id === id);
  assert.ok(c, `no chart ${id} on the page`);
  assert.equal(c.error, undefined, `chart ${id} failed to draw: ${c.error}`);
  return c;
}

function series(c: DrawnChart, label: string): DrawnSeries {
  const s = c.series.find((x) => x.label === label);
  assert.ok(s, `chart ${c.id} has no "${label}" series (has ${c.series.map((x) => x.label).join(', ')})`);
  return s;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * The page drew what results.json holds, series by series, and the series show the findings: 500s at
 * the shed peaks and none in queue mode, Work Done in both, a queue that filled, end-to-end latency,
 * and a target rate that crossed the limit.
 */
export function assertChartsShowTheFindings(drawn: readonly DrawnChart[], result: LabResult): void {
  for (const want of expectedCharts(result)) {
    const got = chart(drawn, want.id);
    for (const w of want.series) {
      const g = series(got, w.label);
      assert.equal(g.points, w.points, `${want.id} / ${w.label}: points`);
      assert.ok(close(g.sum, w.sum), `${want.id} / ${w.label}: sum ${g.sum}, results.json has ${w.sum}`);
    }
  }
  const shedRefusals = chart(drawn, 'status-shed').series.filter((s) => isRejection(s.label));
  const refused = shedRefusals.reduce((a, s) => a + s.sum, 0);
  assert.ok(refused > 0, 'no 500s drawn in shed mode');
  assert.equal(refused, result.modes.shed.summary.rejected, 'shed refusals drawn vs the summary');
  for (const s of chart(drawn, 'status-queue').series) {
    if (isRejection(s.label)) assert.equal(s.sum, 0, `queue mode drew ${s.sum} × ${s.label}`);
  }
  for (const mode of ['shed', 'queue'] as const) {
    assert.ok(series(chart(drawn, `status-${mode}`), '200').sum > 0, `no 200s drawn in ${mode} mode`);
    assert.ok(series(chart(drawn, `work-${mode}`), 'done').sum > 0, `no Work Done drawn in ${mode} mode`);
    const target = series(chart(drawn, `rate-${mode}`), 'target');
    assert.ok((target.max ?? 0) > result.settings.rpsLimit, `${mode}: the target never crossed the limit`);
    assert.ok(series(chart(drawn, `http-${mode}`), 'p99').points > 0, `${mode}: no HTTP latency drawn`);
  }
  assert.ok(series(chart(drawn, 'work-shed'), 'error').sum > 0, 'shed refusals missing from Work Done');
  const backlog = series(chart(drawn, 'queue-queue'), 'backlog');
  assert.ok((backlog.max ?? 0) > 0, 'the backlog chart never rose');
  assert.equal(
    backlog.max,
    result.modes.queue.summary.peakBacklog,
    'the backlog drawn peaks where the summary says',
  );
  const e2e = series(chart(drawn, 'e2e-queue'), 'p99');
  assert.ok(e2e.points > 0 && (e2e.max ?? 0) > 0, 'no end-to-end latency drawn in queue mode');
}

/** Opens DIR/report.html in Chromium, checks its charts, and keeps a full-page screenshot as `name`. */
export async function checkReportInBrowser(dir: string, result: LabResult, name: string): Promise<string> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const file = join(dir, 'report.html');
    const drawn = await openDrawnReport(page, file);
    assertChartsShowTheFindings(drawn, result);
    const html = await readFile(file, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'self-contained');
    await mkdir(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, name);
    await page.screenshot({ path: shot, fullPage: true });
    return shot;
  } finally {
    await browser.close();
  }
}
