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

/** `--name=N` from a suite's flags (e.g. `--rounds=3`), else `def`; throws unless N is a positive number. */
export function flag(flags: readonly string[], name: string, def: number): number {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  const v = hit ? Number(hit.split('=')[1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

/** A `--name=VALUE` string flag, or undefined when absent; an empty value is an error. */
export function textFlag(flags: readonly string[], name: string): string | undefined {
  const hit = flags.find((f) => f.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  const v = hit.slice(name.length + 3);
  if (v === '') throw new Error(`--${name} needs a value`);
  return v;
}

/** Raw per-round lines as a collapsed markdown block (`<details>` around a code block). */
export function roundsBlock(lines: readonly string[], summary = 'rounds'): string[] {
  return [`<details><summary>${summary}</summary>`, '', '```', ...lines, '```', '</details>', ''];
}
