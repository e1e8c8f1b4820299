import type { Command } from 'commander';
import { locksOptions } from '../../lab/locks/config.js';
import type { CliContext } from '../context.js';
import { withStopSignal } from './lab-signal.js';

/** `peaklab lab locks`: the counter's four modes under the same closed-model gRPC load. */
export function registerLocks(lab: Command, ctx: CliContext): void {
  const cmd = lab
    .command('locks')
    .description(
      'mutex vs inputq vs atomic vs unsafe: runs `serve counter` in each mode, memory and redis stores, ' +
        'under closed-model gRPC load at rising VUs; writes report.html and results.json',
    );
  cmd.action(async (flags: Record<string, unknown>) => {
    // Loaded on use: the other commands never pay for the load generator or the lab.
    const { readLocksSettings, runLocks } = await import('../../lab/locks/mod.js');
    const settings = readLocksSettings(flags, { env: ctx.env, cwd: process.cwd(), now: new Date() });
    const [{ openReport }] = await Promise.all([import('../../lab/open-report.js')]);
    await withStopSignal(async (signal) => {
      const { result, files } = await runLocks(settings, {
        env: ctx.env,
        note: (line) => ctx.err.write(`${line}\n`),
        signal,
      });
      for (const a of result.answers) ctx.out.write(`${a.question}\n  ${a.answer}\n`);
      ctx.out.write(`report:  ${files.report}\nresults: ${files.results}\n`);
      if (settings.open) await openReport(files.report, ctx.env.PATH, ctx.err);
    });
  });
  for (const o of locksOptions()) cmd.option(o.flags, o.description);
}
