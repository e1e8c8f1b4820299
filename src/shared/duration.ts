import { PeaklabError } from './errors.js';

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)$/;

/**
 * Parses "250ms", "10s", "1.5m", "2h" (or a chain like "1m30s") into milliseconds.
 * A bare number is rejected on purpose: "10" is ambiguous between seconds and milliseconds.
 */
export function parseDuration(text: string, what?: string): number {
  const input = text.trim();
  let rest = input;
  let total = 0;
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)/.exec(rest);
    if (!m) break;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  if (input.length === 0 || rest.length > 0 || !Number.isFinite(total)) {
    const why = `"${text}" is not a duration (use e.g. 500ms, 10s, 2m)`;
    throw new PeaklabError('PL_CONFIG_INVALID', what ? `${what}: ${why}` : why);
  }
  return total;
}

export function isDuration(text: string): boolean {
  return DURATION_RE.test(text.trim());
}

/**
 * Formats milliseconds for people: 850µs, 12.3ms, 4.20s, 2m05s. Each unit's rounding is done before
 * the unit is chosen, so 119700 ms is "2m00s" (not "1m60s") and 999.7 ms is "1.00s" (not "1000ms").
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatMs(-ms)}`;
  const us = Math.round(ms * 1000);
  if (us < 1000) return `${us}µs`;
  const hundredths = Math.round(ms * 100) / 100;
  if (hundredths < 10) return `${hundredths.toFixed(2)}ms`;
  const tenths = Math.round(ms * 10) / 10;
  if (tenths < 100) return `${tenths.toFixed(1)}ms`;
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole}ms`;
  const centiseconds = Math.round(ms / 10);
  if (centiseconds < 6000) return `${(centiseconds / 100).toFixed(2)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
