/**
 * The writer of BENCHMARKS.md. The file is a fixed header plus one section per suite, each between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, so that running one suite replaces only its own
 * section. Pure functions (no I/O): bench/run.ts measures, this formats. Everything in the file
 * comes from here or from a suite's own output, so no number in it is typed by hand.
 */

/** One suite's run, as bench/run.ts measured it. */
export interface SuiteRun {
  readonly name: string;
  /** The command that reproduces this section, e.g. `npm run bench -- --write orders`. */
  readonly command: string;
  readonly startedAt: Date;
  /** Wall-clock seconds the suite ran. */
  readonly seconds: number;
  /** os.loadavg() [1, 5, 15 min] just before the suite started (after any wait) and after it. */
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  /** Cores' worth of CPU the whole machine used in the seconds just before the suite started. */
  readonly busyCoresBefore: number;
  /** The quiet threshold the run used (1-min load average). */
  readonly maxLoad: number;
  /** True when the machine was still busy when the suite had to start: its ratios are not results. */
  readonly throttled: boolean;
  /** What the suite's main() printed on stdout: its self-contained markdown. */
  readonly output: string;
  /** True when the output is fixed-width text rather than markdown: it is shown in a code block. */
  readonly preformatted?: boolean;
  /** The suite process's exit code (null: killed by a signal). */
  readonly exitCode: number | null;
  /** The last lines of its stderr, shown only when it failed. */
  readonly stderrTail: string;
}

export const HEADER = `# Benchmarks

This file is written by \`npm run bench -- --write [suites…]\` (bench/run.ts): do not edit it by
hand. Every number below was printed by a script in bench/, in the run whose command, date and
load average head its section. Running one suite replaces only that suite's section.

The rules:

- **Ratios, not absolute numbers.** Each suite measures a reference in the same run (a bare
  \`node:http\` server, autocannon, …) and reports each target as a ratio to it: on a shared
  2-core machine absolute numbers drift by 2× between runs, ratios much less.
- **The load average is recorded** before and after each suite (1, 5, 15 min, from
  \`os.loadavg()\`), together with the CPU the whole machine used in the seconds before it started.
- **A ratio whose reference was throttled is not a result.** Before each suite the runner waits
  (\`--wait=S\`, default 45 s) until the machine is quiet: 1-min load average at most
  \`--max-load\` (default 1.5), or, since that average still carries the previous suite's own
  load for a minute or two, less than that many cores busy over the last 5 s. A suite that had to
  start on a busy machine is labelled "not a result", and so are its verdicts.
- **Verdicts are printed by the bench code** (\`target …: met\` / \`not met\`), never added by hand;
  each section repeats them under "Verdicts".
`;

const VERDICT = /:\s*(met|not met)\s*\.?\s*$/i;

/** The lines of a suite's output that state a verdict (they end in `: met` or `: not met`). */
export function verdictsOf(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => VERDICT.test(l) && !l.startsWith('|'));
}

const fmt = (xs: readonly number[]) => xs.map((x) => x.toFixed(2)).join(', ');

/** The markdown between a suite's markers: title, command, date, load, its output and its verdicts. */
export function renderSection(run: SuiteRun): string {
  const date = `${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const lines = [`## ${run.name}`, ''];
  if (run.throttled) {
    lines.push(`**Measured at load average ${(run.loadBefore[0] ?? 0).toFixed(2)}: not a result.**`, '');
  }
  lines.push(
    `Command: \`${run.command}\``,
    '',
    `Run: ${date}, ${Math.round(run.seconds)} s. Load average (1, 5, 15 min) before: ${fmt(run.loadBefore)}; after: ${fmt(run.loadAfter)}. CPU busy in the 5 s before: ${run.busyCoresBefore.toFixed(2)} cores (quiet threshold ${run.maxLoad}).`,
    '',
  );
  if (run.exitCode !== 0) {
    lines.push(`**The suite failed (exit code ${run.exitCode ?? 'signal'}): not a result.**`, '');
    if (run.stderrTail.trim() !== '') lines.push('```text', run.stderrTail.trimEnd(), '```', '');
  }
  const body = run.output.trim();
  if (body !== '') lines.push(...(run.preformatted ? ['```text', body, '```'] : [body]), '');
  const verdicts = verdictsOf(run.output);
  lines.push('Verdicts:', '');
  if (verdicts.length === 0) lines.push('- none: this suite states no target.');
  const label = run.throttled || run.exitCode !== 0 ? ' (not a result: see above)' : '';
  for (const v of verdicts) lines.push(`- ${v}${label}`);
  return lines.join('\n');
}

/** The section of a suite that has never been run by this script. */
export function placeholder(name: string): string {
  return `## ${name}\n\nNot yet run with this script: \`npm run bench -- --write ${name}\`.`;
}

const open = (name: string) => `<!-- bench:${name} -->`;
const close = (name: string) => `<!-- /bench:${name} -->`;

/** The sections found between markers in an existing BENCHMARKS.md, by suite name. */
export function sectionsOf(doc: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<!-- bench:([\w-]+) -->\n([\s\S]*?)\n<!-- \/bench:\1 -->/g;
  for (const m of doc.matchAll(re)) out.set(m[1] as string, m[2] as string);
  return out;
}

/**
 * The whole file: the header, then one section per suite in `order`, each the fresh one from
 * `fresh` if this run measured it, else the one already in `existing`, else a placeholder.
 * Sections in `existing` for suites no longer in `order` are dropped (no script reproduces them).
 */
export function renderDocument(
  order: readonly string[],
  fresh: ReadonlyMap<string, string>,
  existing = '',
): string {
  const kept = sectionsOf(existing);
  const parts = [HEADER];
  for (const name of order) {
    const body = fresh.get(name) ?? kept.get(name) ?? placeholder(name);
    parts.push(`${open(name)}\n${body}\n${close(name)}\n`);
  }
  return parts.join('\n');
}
