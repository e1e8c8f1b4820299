import type { Command } from 'commander';
import { burstOptions, readBurstSettings } from '../../lab/tickets-burst/settings.js';
import type { CliContext } from '../context.js';
import { withStopSignal } from './lab-signal.js';

/** `peaklab lab tickets-burst`: early acknowledgement vs parse-then-answer under one burst. */
export function registerTicketsBurst(lab: Command, ctx: CliContext): void {
  const cmd = lab
    .command('tickets-burst')
    .description(
      'runs `serve tickets` with --ack after-parse, then --ack durable, under the same step burst with a corpus ' +
        'mix; writes report.html and results.json (PGlite unless DATABASE_URL is set)',
    );
  for (const o of burstOptions()) cmd.option(o.flags, o.description);
  cmd.action(async (flags: Record<string, unknown>) => {
    const settings = readBurstSettings(flags, ctx.env, process.cwd(), new Date());
    // Loaded on use: --help and the other commands never pay for the load generator or the service.
    const [{ runTicketsBurst }, { openReport }] = await Promise.all([
      import('../../lab/tickets-burst/mod.js'),
      import('../../lab/open-report.js'),
    ]);
    await withStopSignal(async (signal) => {
      const { result, files } = await runTicketsBurst(
        settings,
        ctx.env,
        (line) => ctx.err.write(`${line}\n`),
        signal,
      );
      for (const a of result.answers) ctx.out.write(`${a.question}\n  ${a.answer}\n`);
      ctx.out.write(`report:  ${files.report}\nresults: ${files.results}\n`);
      if (settings.open) await openReport(files.report, ctx.env.PATH, ctx.err);
    });
  });
}
