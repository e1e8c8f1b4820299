/**
 * `npm run bench [-- [--write] [--max-load=1.5] [--wait=45] [suites…] [suite flags…]]`: the
 * benchmarks, one after the other (each in its own process), so they never compete for the 2 cores.
 * Before each suite it waits for a quiet machine (bench/quiet.ts). With `--write` it rewrites
 * BENCHMARKS.md (bench/benchmarks-md.ts): each suite run replaces only its own section. Other flags
 * (`--rounds=1 --seconds=1`) go to every suite. Exit code 1 if any suite failed.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderDocument, renderSection, type SuiteRun } from './benchmarks-md.js';
import { waitForQuiet } from './quiet.js';

interface SuiteSpec {
  readonly name: string;
  /** Expected wall-clock seconds with default flags on a quiet machine (printed up front). */
  readonly seconds: number;
  /**
   * A script that runs on its own and prints fixed-width text, shown in a code block (default:
   * suite-main.js NAME, which awaits bench/NAME's main(flags) and prints markdown).
   */
  readonly script?: string;
}

/** Adding a suite is one line here: bench/NAME.ts exporting main(flags) that prints markdown. */
export const SUITES: readonly SuiteSpec[] = [
  { name: 'orders', seconds: 110 },
  { name: 'nats-sync', seconds: 60 },
  { name: 'load', seconds: 170 },
  { name: 'load-cpu', seconds: 45 },
  { name: 'sale', seconds: 240 },
  { name: 'micro', seconds: 40, script: 'micro/run.js' },
  { name: 'counter', seconds: 120 },
  { name: 'tickets', seconds: 90 },
  { name: 'tracing', seconds: 130 },
  { name: 'tracing-node24', seconds: 140 },
  { name: 'tracing-parts', seconds: 250 },
];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = `${ROOT}BENCHMARKS.md`;

function numberFlag(args: readonly string[], name: string, def: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  if (!hit) return def;
  const v = Number(hit.slice(name.length + 3));
  if (!Number.isFinite(v) || v < 0) {
    process.stderr.write(`bench: --${name} must be a number ≥ 0\n`);
    process.exit(2);
  }
  return v;
}

/** The runner; only when run as a program (the tests import SUITES). */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const maxLoad = numberFlag(args, 'max-load', 1.5);
  const maxWaitS = numberFlag(args, 'wait', 45);
  const own = (a: string) => a === '--write' || a.startsWith('--max-load=') || a.startsWith('--wait=');
  const wanted = args.filter((a) => !a.startsWith('-'));
  const flags = args.filter((a) => a.startsWith('-') && !own(a));
  const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown suite ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  const chosen = SUITES.filter((s) => wanted.length === 0 || wanted.includes(s.name));

  let current: ReturnType<typeof spawn> | undefined;
  let interrupted = false;
  process.on('SIGINT', () => {
    interrupted = true;
    if (current?.pid) process.kill(-current.pid, 'SIGINT');
  });

  /** Runs one suite in its own process group; tees and captures its stdout; bounded in time. */
  function runSuite(
    spec: SuiteSpec,
  ): Promise<{ output: string; exitCode: number | null; stderrTail: string }> {
    const script = fileURLToPath(new URL(`./${spec.script ?? 'suite-main.js'}`, import.meta.url));
    const argv = spec.script ? [script, ...flags] : [script, spec.name, ...flags];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    current = child;
    let output = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      process.stdout.write(c);
      output += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      process.stderr.write(c);
      stderr = (stderr + c.toString('utf8')).slice(-4000);
    });
    // A hung suite must not hang the run: 4× its expected time (at least 5 min), then the group dies.
    const limitMs = Math.max(300, spec.seconds * 4) * 1000;
    const timer = setTimeout(() => {
      stderr += `\nbench: ${spec.name} still running after ${limitMs / 1000} s: stopped\n`;
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
        setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 10_000).unref();
      } catch {}
    }, limitMs);
    return new Promise((resolve) => {
      child.once('close', (code) => {
        clearTimeout(timer);
        current = undefined;
        const stderrTail = stderr.split('\n').slice(-20).join('\n');
        resolve({ output, exitCode: code, stderrTail });
      });
    });
  }

  const expected = chosen.reduce((a, s) => a + s.seconds + 10, 0);
  process.stdout.write(
    `bench: ${chosen.map((s) => s.name).join(', ')}: about ${Math.ceil(expected / 60)} min on a quiet machine` +
      ` (up to ${Math.ceil((expected + chosen.length * maxWaitS) / 60)} min if it stays busy: --wait=${maxWaitS} s per suite, --max-load=${maxLoad})\n`,
  );

  const fresh = new Map<string, string>();
  let failed = 0;
  for (const spec of chosen) {
    if (interrupted) break;
    process.stdout.write(`\n## bench: ${spec.name}\n\n`);
    const q = await waitForQuiet(maxLoad, maxWaitS, (load, busy) =>
      process.stdout.write(
        `bench: waiting for a quiet machine (load average ${load.toFixed(2)}, ${busy.toFixed(2)} cores busy)\n`,
      ),
    );
    if (!q.quiet)
      process.stdout.write(
        `bench: still busy after ${q.waitedS.toFixed(0)} s: measuring anyway, labelled not a result\n`,
      );
    const startedAt = new Date();
    const r = await runSuite(spec);
    if (r.exitCode !== 0) failed++;
    const run: SuiteRun = {
      name: spec.name,
      command: `npm run bench -- --write ${[spec.name, ...flags].join(' ')}`,
      startedAt,
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      loadBefore: q.load,
      loadAfter: loadavg(),
      busyCoresBefore: q.busyCores,
      maxLoad,
      throttled: !q.quiet,
      output: r.output,
      preformatted: spec.script !== undefined,
      exitCode: r.exitCode,
      stderrTail: r.stderrTail,
    };
    fresh.set(spec.name, renderSection(run));
    if (write) {
      // Written after every suite, so an interrupted run keeps what it measured.
      const existing = await readFile(DOC, 'utf8').catch(() => '');
      await writeFile(
        DOC,
        renderDocument(
          SUITES.map((s) => s.name),
          fresh,
          existing,
        ),
      );
    }
  }
  if (write) process.stdout.write(`\nbench: BENCHMARKS.md: ${[...fresh.keys()].join(', ')} rewritten\n`);
  process.exit(interrupted ? 130 : failed > 0 ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
