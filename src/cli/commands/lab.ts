import type { Command } from 'commander';
import { labOptions, readLabSettings } from '../../lab/config.js';
import type { CliContext } from '../context.js';
import { registerFlashSale } from './lab-flash-sale.js';
import { registerLocks } from './lab-locks.js';
import { withStopSignal } from './lab-signal.js';
import { registerTicketsBurst } from './lab-tickets-burst.js';

/** `peaklab lab smooth-corners`: the main job, from the seed's question to a report with the answers. */
export function registerLab(program: Command, ctx: CliContext): void {
  const lab = program.command('lab').description('one-command experiments, each ending in an HTML report');
  const cmd = lab
    .command('smooth-corners')
    .description(
      'shed vs queue under a sine load: runs `serve orders` in shed mode, then in queue mode, under the ' +
        'same sine; writes report.html and results.json (embedded backends unless DATABASE_URL/NATS_URL are set)',
    );
  for (const o of labOptions()) cmd.option(o.flags, o.description);
  cmd.action(async (flags: Record<string, unknown>) => {
    const settings = readLabSettings(flags, { env: ctx.env, cwd: process.cwd(), now: new Date() });
    // Loaded on use: --help and the other commands never pay for the load generator or the services.
    const [
      { realLabPorts },
      { runSmoothCorners },
      { openReport },
      { createProgress },
      { formatSummaryLines },
    ] = await Promise.all([
      import('../../lab/adapters.js'),
      import('../../lab/experiment.js'),
      import('../../lab/open-report.js'),
      import('../../lab/progress.js'),
      import('../../lab/text-summary.js'),
    ]);
    await withStopSignal(async (signal) => {
      const { result, files } = await runSmoothCorners(settings, {
        ports: realLabPorts(ctx.env),
        progress: createProgress(ctx.err),
        signal,
      });
      ctx.out.write(`${formatSummaryLines(result).join('\n')}\n`);
      ctx.out.write(`report:  ${files.report}\nresults: ${files.results}\n`);
      if (settings.open) await openReport(files.report, ctx.env.PATH, ctx.err);
    });
  });
  registerLocks(lab, ctx);
  registerFlashSale(lab, ctx);
  registerTicketsBurst(lab, ctx);
}
