import type { FlashSaleResult } from './types.js';

/** The lines the CLI prints at the end: the answers and the audit, one line each. */
export function flashSaleSummaryLines(r: FlashSaleResult): string[] {
  const audit = Object.entries(r.audit)
    .map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`)
    .join(', ');
  return [...r.answers.map((a) => `${a.question} ${a.answer}`), `audit: ${audit}`];
}
