import type { Command } from 'commander';
import { flashSaleOptions, readFlashSaleSettings } from '../../lab/flash-sale/config.js';
import { PeaklabError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { withStopSignal } from './lab-signal.js';

/**
 * `peaklab lab flash-sale`: one whole sale against `serve sale`, ending in an audit read from the
 * database. Exits 1 (PL_LAB_FAILED) when an audited invariant does not hold, after writing the files.
 */
export function registerFlashSale(lab: Command, ctx: CliContext): void {
  const cmd = lab
    .command('flash-sale')
    .description(
      'one whole flash sale against `serve sale` (checkout, then purchase, as a load scenario); audits ' +
        'the ledger; writes report.html, results.json and errors.jsonl (embedded backends unless ' +
        'DATABASE_URL/REDIS_URL are set)',
    );
  for (const o of flashSaleOptions()) cmd.option(o.flags, o.description);
  cmd.action(async (flags: Record<string, unknown>) => {
    const settings = readFlashSaleSettings(flags, { env: ctx.env, cwd: process.cwd(), now: new Date() });
    // Loaded on use: --help never pays for the load generator, the service's modules or Postgres.
    const [{ runFlashSale }, { flashSaleSummaryLines }, { createProgress }, { openReport }] =
      await Promise.all([
        import('../../lab/flash-sale/run.js'),
        import('../../lab/flash-sale/summary.js'),
        import('../../lab/progress.js'),
        import('../../lab/open-report.js'),
      ]);
    await withStopSignal(async (signal) => {
      const { result, files } = await runFlashSale(settings, {
        env: ctx.env,
        progress: createProgress(ctx.err),
        signal,
      });
      ctx.out.write(`${flashSaleSummaryLines(result).join('\n')}\n`);
      ctx.out.write(`report:  ${files.report}\nresults: ${files.results}\nerrors:  ${files.errors}\n`);
      if (settings.open) await openReport(files.report, ctx.env.PATH, ctx.err);
      const failed = Object.entries(result.audit).filter(([, v]) => !v);
      if (failed.length > 0)
        throw new PeaklabError('PL_LAB_FAILED', `audit: ${failed.map(([k]) => k).join(', ')} did not hold`);
    });
  });
}
