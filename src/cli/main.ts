import { Command, CommanderError } from 'commander';
import { describeError, isPeaklabError } from '../shared/errors.js';
import { registerCompare } from './commands/compare.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerLab } from './commands/lab.js';
import { registerLoad } from './commands/load.js';
import { registerReport } from './commands/report.js';
import { registerServe } from './commands/serve.js';
import { registerWorker } from './commands/worker.js';
import type { CliContext } from './context.js';

export function buildProgram(ctx: CliContext): Command {
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
  registerServe(program, ctx);
  registerWorker(program, ctx);
  registerLoad(program, ctx);
  registerReport(program, ctx);
  registerCompare(program, ctx);
  registerLab(program, ctx);
  registerDashboard(program, ctx);
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
  const ctx: CliContext = {
    env: io.env ?? process.env,
    out: io.out ?? process.stdout,
    err: io.err ?? process.stderr,
    exitCode: 0,
  };
  const program = buildProgram(ctx);
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
