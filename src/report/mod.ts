export { type ChartAssets, chartAssets } from './assets.js';
export { escapeHtml, scriptJson } from './escape.js';
export { renderHtmlReport } from './html.js';
export { PAGE_STYLE } from './style.js';
export type { Cell, TableSpec } from './table.js';
export { formatNumber, renderTable } from './table.js';
export type { Chart, ChartSeries, ReportDoc, Section } from './types.js';
