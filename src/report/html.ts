import { chartAssets } from './assets.js';
import { CLIENT_SCRIPT } from './client.js';
import { escapeHtml, scriptJson } from './escape.js';
import { PAGE_STYLE } from './style.js';
import type { Chart, ReportDoc, Section } from './types.js';

const CHART_ID = /^[A-Za-z0-9_-]+$/;

function renderSection(section: Section): string {
  const parts = [`<section><h2>${escapeHtml(section.title)}</h2>`];
  if (section.html) parts.push(section.html);
  if (section.charts && section.charts.length > 0) {
    const cols = section.columns === 2 ? ' cols-2' : '';
    const divs = section.charts.map((c) => `<div class="chart" id="chart-${c.id}"></div>`).join('');
    parts.push(`<div class="grid${cols}">${divs}</div>`);
  }
  parts.push('</section>');
  return parts.join('');
}

function checkCharts(charts: ReadonlyArray<Chart>): void {
  const seen = new Set<string>();
  for (const c of charts) {
    if (!CHART_ID.test(c.id)) throw new Error(`chart id "${c.id}" must be letters, digits, - or _`);
    if (seen.has(c.id)) throw new Error(`chart id "${c.id}" is used twice`);
    seen.add(c.id);
    for (const s of c.series) {
      if (s.values.length !== c.x.length) {
        throw new Error(
          `chart "${c.id}", series "${s.label}": ${s.values.length} values for ${c.x.length} x`,
        );
      }
    }
  }
}

/**
 * One self-contained HTML page: the stylesheet, uPlot and the data are inlined, so the file opens
 * offline, can be attached to a CI run, and needs no server.
 */
export function renderHtmlReport(doc: ReportDoc): string {
  const charts = doc.sections.flatMap((s) => s.charts ?? []);
  checkCharts(charts);
  const { script, style } = chartAssets();
  const subtitle = doc.subtitle ? `<p>${escapeHtml(doc.subtitle)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="peaklab">
<title>${escapeHtml(doc.title)}</title>
<style>${style}</style><style>${PAGE_STYLE}</style>
</head><body>
<header><h1>${escapeHtml(doc.title)}</h1>${subtitle}</header>
<main>${doc.sections.map(renderSection).join('\n')}</main>
<script type="application/json" id="peaklab-data">${scriptJson({ charts })}</script>
<script>${script}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}
