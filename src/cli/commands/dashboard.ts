import type { Command } from 'commander';
import { collectConfig, duration, flagName, int, oneOf, str } from '../../config/mod.js';
import { PeaklabError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';

// The bounds are restated here rather than imported, so `--help` does not load the dashboard.
const FLAGS = {
  port: int('port of the page (0 picks a free one)', 3000, { min: 0, max: 65535 }),
  host: str(
    'address to listen on (0.0.0.0 shares the page, and the targets’ data, with the network)',
    '127.0.0.1',
  ),
  window: duration('history kept and drawn, 10s..1h', 15 * 60_000),
  maxSamples: int('samples one scrape may hold; a larger one is refused', 50_000, {
    min: 1,
    max: 10_000_000,
  }),
  maxSeries: int('series each target may keep in the window; more are not drawn', 300, {
    min: 1,
    max: 100_000,
  }),
  logLevel: oneOf('log level', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
};

const collect = (v: string, acc: string[] | undefined) => [...(acc ?? []), v];

/**
 * `peaklab dashboard --target URL ...`: the live page without Grafana. Runs until Ctrl+C (SIGINT) or
 * SIGTERM, then closes its streams and its port.
 */
export function registerDashboard(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('dashboard')
    .description(
      'a live page of each target’s /metrics, scraped every second: RED per route, status, Work Done, ' +
        'queue depth, end-to-end latency, CPU, event-loop lag, heap (see docs/dashboard.md)',
    )
    .option(
      '--target <url>',
      'a service to scrape: http://host:port (adds /metrics), a full /metrics URL, or NAME=URL (repeatable)',
      collect,
    );
  for (const [key, field] of Object.entries(FLAGS)) {
    const flag = flagName(key);
    const shown = key === 'window' ? '15m' : String(field.default);
    cmd.option(`--${flag} ${field.placeholder}`, `${field.description} (default ${shown})`);
  }
  cmd.action(async (raw: Record<string, unknown>) => {
    const targets = (raw.target as string[] | undefined) ?? [];
    if (targets.length === 0) {
      throw new PeaklabError('PL_USAGE', 'dashboard needs at least one --target URL (repeatable)');
    }
    // Flags only: a stray PORT or HOST in the environment is a service's setting, not the dashboard's.
    const problems: string[] = [];
    const flags = collectConfig(FLAGS, raw, {}, problems);
    if (raw.window !== undefined && (flags.window < 10_000 || flags.window > 3_600_000)) {
      problems.push(`--window: "${String(raw.window)}" is not between 10s and 1h`);
    }
    if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
    // Imported on use: `peaklab --help` and the other commands do not pay for the dashboard.
    const [{ startDashboard }, { createLogger }, { onShutdownSignal }] = await Promise.all([
      import('../../dashboard/mod.js'),
      import('../../shared/logger.js'),
      import('../../platform/lifecycle/signals.js'),
    ]);
    const logger = createLogger('dashboard', flags.logLevel);
    const dashboard = await startDashboard({
      targets,
      port: flags.port,
      host: flags.host,
      windowSeconds: Math.round(flags.window / 1000),
      maxSamples: flags.maxSamples,
      maxSeriesPerTarget: flags.maxSeries,
      logger,
    });
    ctx.err.write(
      `peaklab dashboard: ${dashboard.url} (${targets.length} target${targets.length === 1 ? '' : 's'}; Ctrl+C stops)\n`,
    );
    // The dashboard holds nothing acknowledged: a stop is clean once its server has closed.
    onShutdownSignal(
      logger,
      async () => {
        await dashboard.close();
        return { clean: true, dropped: [], failed: [] };
      },
      { deadlineMs: 5_000 },
    );
  });
}
