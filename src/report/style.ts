/** The report's own stylesheet: readable on screen and on paper, no web fonts (it must open offline). */
export const PAGE_STYLE = `
:root { --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --panel: #f9fafb; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 24px 32px 12px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: var(--muted); }
main { padding: 8px 32px 48px; max-width: 1500px; }
section { margin-top: 28px; }
section > h2 { font-size: 17px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.grid { display: grid; gap: 16px; grid-template-columns: 1fr; }
.grid.cols-2 { grid-template-columns: 1fr 1fr; }
@media (max-width: 900px) { .grid.cols-2 { grid-template-columns: 1fr; } }
.chart { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px; min-height: 250px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; }
td.na { color: var(--muted); text-align: center; }
code, pre { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 10px; overflow-x: auto; }
.note { color: var(--muted); }
.pass { color: #15803d; font-weight: 600; }
.fail { color: #b91c1c; font-weight: 600; }
.answers p { max-width: 70em; }
.u-title { font-size: 13px !important; font-weight: 600 !important; }
`;
