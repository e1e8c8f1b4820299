import { chartAssets, escapeHtml, PAGE_STYLE, scriptJson } from '../report/mod.js';
import { DASHBOARD_CLIENT } from './client.js';
import type { DashboardData } from './state.js';

/**
 * The page may run inline scripts and styles (uPlot and the client are inlined) and talk to its own
 * server; nothing else. Even a label that slipped past escaping could load nothing from anywhere.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'";

const DASHBOARD_STYLE = `
main { max-width: none; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 12px 24px; }
header .meta { color: var(--muted); }
header a.button { margin-left: auto; padding: 6px 12px; border: 1px solid var(--accent); border-radius: 6px;
  color: var(--accent); text-decoration: none; font-weight: 600; }
header a.button:hover { background: var(--accent); color: #fff; }
#banners { position: sticky; top: 0; z-index: 5; }
.banner { padding: 8px 32px; font-weight: 600; border-bottom: 1px solid var(--line); }
.banner.down { background: #fee2e2; color: #991b1b; }
.banner.notice { background: #fef3c7; color: #92400e; }
.grid { grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); }
.chart { min-height: 230px; }
h2 .url { color: var(--muted); font-weight: 400; font-size: 13px; }
.pill { margin-left: 10px; padding: 1px 8px; border-radius: 10px; font-size: 12px; vertical-align: middle; }
.pill.up { background: #dcfce7; color: #166534; }
.pill.down { background: #fee2e2; color: #991b1b; }
.pill.waiting { background: var(--panel); color: var(--muted); }
p.missing { color: var(--muted); margin: 8px 0 0; }
`;

function describeWindow(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/**
 * The dashboard as one HTML page: the live page (`data.mode` "live": it connects to `events` for
 * updates and offers the snapshot) or a snapshot (the data as of `generatedAtMs`, nothing to connect
 * to). uPlot, the styles and the data are inlined, so a snapshot opens offline from a file.
 */
export function renderDashboardPage(data: DashboardData): string {
  const { script, style } = chartAssets();
  const targets = data.groups.filter((g) => g.kind === 'target').length;
  const when = new Date(data.generatedAtMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const meta =
    data.mode === 'live'
      ? `live · ${targets} target${targets === 1 ? '' : 's'} scraped every second · window ${describeWindow(data.windowSeconds)}`
      : `snapshot taken ${when} · window ${describeWindow(data.windowSeconds)}`;
  const exportLink =
    data.mode === 'live'
      ? '<a class="button" id="export" href="snapshot.html" download="peaklab-dashboard.html">Export snapshot</a>'
      : '';
  const title = data.mode === 'live' ? 'peaklab dashboard' : `peaklab dashboard snapshot, ${when}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">
<meta name="generator" content="peaklab">
<title>${escapeHtml(title)}</title>
<style>${style}</style><style>${PAGE_STYLE}</style><style>${DASHBOARD_STYLE}</style>
</head><body>
<header><h1>peaklab dashboard</h1><span class="meta">${escapeHtml(meta)}</span>${exportLink}</header>
<div id="banners"></div>
<main id="groups"></main>
<script type="application/json" id="peaklab-dashboard-data">${scriptJson(data)}</script>
<script>${script}</script>
<script>${DASHBOARD_CLIENT}</script>
</body></html>
`;
}
