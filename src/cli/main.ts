import { Command, CommanderError } from 'commander';
import { tolerateClosedOutput } from '../shared/closed-output.js';
import { describeError, isPeaklabError } from '../shared/errors.js';
import type { CliContext } from './context.js';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * Each command's module, imported only when that command runs (all of them for --help or an
 * unknown command): `peaklab load` then loads no database, queue or web-server client, which
 * costs the others ~0.7 s of CPU at start-up. Listed in help order.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['worker', async () => (await import('./commands/worker.js')).registerWorker],
  ['load', async () => (await import('./commands/load.js')).registerLoad],
  ['report', async () => (await import('./commands/report.js')).registerReport],
  ['compare', async () => (await import('./commands/compare.js')).registerCompare],
  ['lab', async () => (await import('./commands/lab.js')).registerLab],
  ['dashboard', async () => (await import('./commands/dashboard.js')).registerDashboard],
];

/** The program with the command `argv` names registered (every command when it names none). */
export async function buildProgram(ctx: CliContext, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('peaklab')
    .description('Build, load-test and watch services under peak load.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.out.write(s),
      writeErr: (s) => ctx.err.write(s),
      // Commander's own errors are printed by main, in the one-line format of every usage error.
      outputError: () => {},
    });
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const only = COMMANDS.filter(([name]) => name === named);
  for (const [, load] of only.length > 0 ? only : COMMANDS) (await load())(program, ctx);
  return program;
}

/**
 * Runs the CLI and resolves with the exit code. Known errors print one line, never a stack trace:
 * exit 2 for bad input, 99 for failed thresholds, as the error registry says.
 */
export async function main(
  argv: readonly string[],
  io: Partial<Omit<CliContext, 'exitCode'>> = {},
): Promise<number> {
  // Output to a reader that has gone (`peaklab lab … | head -2`) must not kill a command before it
  // has stopped the services it started and written its report.
  if (io.out === undefined) tolerateClosedOutput(process.stdout);
  if (io.err === undefined) tolerateClosedOutput(process.stderr);
  const ctx: CliContext = {
    env: io.env ?? process.env,
    out: io.out ?? process.stdout,
    err: io.err ?? process.stderr,
    exitCode: 0,
  };
  const program = await buildProgram(ctx, argv);
  try {
    await program.parseAsync([...argv]);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0; so does help shown for a missing
      // subcommand (already printed, exit 2). Anything else is a usage error of commander's.
      if (err.exitCode === 0) return 0;
      if (err.code !== 'commander.help') {
        const message = err.message.replace(/^error:\s*/, '').split('\n')[0];
        ctx.err.write(`peaklab: ${message} (PL_USAGE)\n`);
      }
      return 2;
    }
    if (isPeaklabError(err)) {
      ctx.err.write(`peaklab: ${err.message} (${err.code})\n`);
      return err.exitCode;
    }
    ctx.err.write(`peaklab: unexpected error: ${describeError(err)}\n`);
    if (ctx.env.PEAKLAB_DEBUG && err instanceof Error) ctx.err.write(`${err.stack}\n`);
    return 1;
  }
}
