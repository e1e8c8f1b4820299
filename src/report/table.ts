import { escapeHtml } from './escape.js';

export type Cell = string | number | null | undefined;

export interface TableSpec {
  head: ReadonlyArray<string>;
  rows: ReadonlyArray<ReadonlyArray<Cell>>;
  /** Class for the <table>, e.g. "compact". */
  className?: string;
}

function cell(value: Cell): string {
  if (value === null || value === undefined) return '<td class="na">–</td>';
  if (typeof value === 'number') return `<td class="num">${escapeHtml(formatNumber(value))}</td>`;
  return `<td>${escapeHtml(value)}</td>`;
}

/** Numbers for people: integers with thin grouping, fractions to three significant places. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** An HTML table with every cell escaped. */
export function renderTable({ head, rows, className }: TableSpec): string {
  const cls = className ? ` class="${escapeHtml(className)}"` : '';
  const thead = `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  const tbody = rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('');
  return `<table${cls}>${thead}<tbody>${tbody}</tbody></table>`;
}
