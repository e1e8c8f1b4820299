import type { Command } from 'commander';
import { readConfig, str } from '../../config/mod.js';
import { compareRuns, renderComparison } from '../../load/compare.js';
import { readResult } from '../../load/result-file.js';
import { PeaklabError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';

const FLAGS = { maxRegression: str('allowed slow-down before it counts', '10%') };

function parsePercent(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw);
  if (!m) throw new PeaklabError('PL_USAGE', `--max-regression "${raw}": expected a percentage such as 10%`);
  return Number(m[1]) / 100;
}

/** `peaklab compare BASELINE.json... CURRENT.json`: exits 1 (PL_REGRESSION) on a regression. */
export function registerCompare(program: Command, ctx: CliContext): void {
  program
    .command('compare')
    .description('compare a run with one or more baseline runs; exits non-zero on a regression')
    .argument('<runs...>', 'BASELINE.json [BASELINE2.json ...] CURRENT.json')
    .option('--max-regression <pct>', 'allowed slow-down beyond noise (default 10%)')
    .action((paths: string[], raw: Record<string, unknown>) => {
      if (paths.length < 2)
        throw new PeaklabError('PL_USAGE', 'compare needs a baseline and a current result');
      const max = parsePercent(readConfig(FLAGS, raw, {}).maxRegression);
      const runs = paths.map(readResult);
      const current = runs.pop()!;
      const c = compareRuns(runs, current, max);
      ctx.out.write(renderComparison(c));
      if (c.regressed) {
        const which = c.metrics.filter((m) => m.regression).map((m) => m.metric);
        throw new PeaklabError('PL_REGRESSION', `regression in ${which.join(', ')} against the baseline`);
      }
    });
}
