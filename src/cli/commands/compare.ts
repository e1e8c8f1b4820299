import type { Command } from 'commander';
import { readConfig, str } from '../../config/mod.js';
import { COMPARE_METRICS, type CompareMetric, compareRuns, renderComparison } from '../../load/compare.js';
import { readResult } from '../../load/result-file.js';
import { PeaklabError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';

const FLAGS = {
  maxRegression: str('allowed slow-down before it counts', '10%'),
  metrics: str('metrics to compare', COMPARE_METRICS.join(',')),
};

function parseMetrics(raw: string): CompareMetric[] {
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(COMPARE_METRICS as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0)
    throw new PeaklabError(
      'PL_USAGE',
      `--metrics "${raw}": expected a comma-separated list of ${COMPARE_METRICS.join(', ')}`,
    );
  return names as CompareMetric[];
}

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
    .option('--metrics <list>', `which metrics to compare (default ${COMPARE_METRICS.join(',')})`)
    .action((paths: string[], raw: Record<string, unknown>) => {
      if (paths.length < 2)
        throw new PeaklabError('PL_USAGE', 'compare needs a baseline and a current result');
      const flags = readConfig(FLAGS, raw, {});
      const max = parsePercent(flags.maxRegression);
      const metrics = parseMetrics(flags.metrics);
      const runs = paths.map(readResult);
      const current = runs.pop()!;
      const c = compareRuns(runs, current, max, metrics);
      ctx.out.write(renderComparison(c));
      if (c.regressed) {
        const which = c.metrics.filter((m) => m.regression).map((m) => m.metric);
        throw new PeaklabError('PL_REGRESSION', `regression in ${which.join(', ')} against the baseline`);
      }
    });
}
