/**
 * A parse result in a shape a table test can spell out in one literal: warnings as
 * `kind@line#row` strings (line and row only when set), lines as [product, productId, cents].
 */
import { readFileSync } from 'node:fs';
import type { ParseResult, TicketWarning } from '../ticket.js';

export type Summary =
  | {
      ok: true;
      order: string;
      vat: number | null;
      total: number | null;
      lines: [string, string, number][];
      warnings: string[];
    }
  | { ok: false; error: string; order?: string; line?: number; warnings: string[] };

export function warningTag(w: TicketWarning): string {
  return `${w.kind}${w.line !== undefined ? `@${w.line}` : ''}${w.row !== undefined ? `#${w.row}` : ''}`;
}

export function summarize(r: ParseResult): Summary {
  if (!r.ok) {
    const { kind, order, line, warnings } = r.error;
    return {
      ok: false,
      error: kind,
      ...(order !== undefined && { order }),
      ...(line !== undefined && { line }),
      warnings: warnings.map(warningTag),
    };
  }
  const t = r.ticket;
  return {
    ok: true,
    order: t.order,
    vat: t.vatCents,
    total: t.totalCents,
    lines: t.lines.map((l) => [l.product, l.productId, l.priceCents]),
    warnings: t.warnings.map(warningTag),
  };
}

/** The seed's scripts/ticket.txt, read from the repository (tests run from dist/src/...). */
export const SEED_TICKET = readFileSync(
  new URL('../../../../../scripts/ticket.txt', import.meta.url),
  'utf8',
);

/** The seed ticket's lines, as summarize() gives them. */
export const SEED_LINES: [string, string, number][] = [
  ['Formule(s) midi', 'aZde', 1490],
  ['Café', 'IZ8z', 200],
];
