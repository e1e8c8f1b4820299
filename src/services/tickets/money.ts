/**
 * Amounts as integer cents, read from text without ever passing through a float.
 *
 * Accepted: an optional minus, 1-9 integer digits, then optionally one `.` or `,` and 1-9 decimals of
 * which only the first two may be non-zero ("2", "2.5", "14.90", "3,10", "2.000"). Refused, with a
 * reason: empty text, thousands separators ("1,234.50", "1 234"), currency signs, exponents, a bare
 * "." or ",", sub-cent precision ("2.005"), more than 9 integer digits.
 */

const AMOUNT = /^(-?)(\d{1,9})(?:([.,])(\d{1,9}))?$/;

export type AmountResult =
  | { readonly ok: true; readonly cents: number; readonly commaDecimal: boolean }
  | { readonly ok: false; readonly reason: string };

/** Reads `text` (already trimmed) as an amount in cents. Never throws. */
export function parseAmount(text: string): AmountResult {
  if (text === '') return { ok: false, reason: 'empty' };
  const m = AMOUNT.exec(text);
  if (m === null) {
    // Only the length of a cheap check decides the message; the caller quotes the input itself.
    if (/^-?\d{10,}([.,]\d*)?$/.test(text)) return { ok: false, reason: 'more than 9 integer digits' };
    return { ok: false, reason: 'not digits with at most one . or , decimal separator' };
  }
  const [, sign = '', whole = '0', separator, fraction = ''] = m;
  if (/[1-9]/.test(fraction.slice(2))) return { ok: false, reason: 'more than 2 non-zero decimals' };
  const cents = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  // `-0` is zero: a negative sign on nothing is not a refund.
  return { ok: true, cents: sign === '-' && cents !== 0 ? -cents : cents, commaDecimal: separator === ',' };
}

/** Cents as a decimal string with two decimals: 1490 -> "14.90", -5 -> "-0.05". */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`${cents} is not a whole number of cents`);
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100);
  const rest = String(abs % 100).padStart(2, '0');
  return `${cents < 0 ? '-' : ''}${units}.${rest}`;
}
