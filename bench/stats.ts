import { loadavg } from 'node:os';

/** The median of `xs` (the upper middle for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor(s.length / 2)] as number);
}

/** The 1, 5 and 15 min load averages, two decimals each, joined by `sep`: every suite prints them. */
export function loadText(sep = ', '): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(sep);
}
