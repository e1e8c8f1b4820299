import type { Command } from 'commander';
import { readConfig } from '../../config/mod.js';
import { addLoadFlags, LOAD_FLAGS, parseVars, toLoadOptions } from '../../load/flags.js';
import type { LoadResult } from '../../load/mod.js';
import { renderReport, writeOutput } from '../../load/outputs.js';
import { Progress } from '../../load/progress.js';
import { PeaklabError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import type { LoadDashboard } from './load-dashboard.js';

/** `--dashboard` alone is port 3000 (as `peaklab dashboard`); `--dashboard-target` alone implies it. */
function parseDashboardPort(raw: unknown, implied: boolean): number | undefined {
  if (raw === undefined) return implied ? 3000 : undefined;
  if (raw === true) return 3000;
  const text = String(raw);
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new PeaklabError('PL_USAGE', `--dashboard "${text}": expected a port, 0..65535`);
  }
  return Number(text);
}

// Repeatable flags start with no default, so --help does not print "(default: [])".
const collect = (v: string, acc: string[] | undefined) => [...(acc ?? []), v];

/** `peaklab load URL ...`: a thin shell over runLoad. */
export function registerLoad(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('load')
    .description('load-test an HTTP or gRPC target (open model with --rate, the default; closed with --vus)')
    .argument('<url>', 'http(s)://host:port/path or grpc://host:port; the path may hold {{templates}}')
    .option('--header <name:value>', 'request header (repeatable)', collect)
    .option(
      '--threshold <expr>',
      'pass/fail, e.g. p99<200ms, p99[10s]<300ms, errors<1% (repeatable)',
      collect,
    )
    .option(
      '--var <name=value>',
      'scenario: a value the scenario reads as api.vars.name (repeatable)',
      collect,
    )
    .option('--template-body', 'fill {{templates}} in a --body @file too (read as UTF-8 text)')
    .option('--insecure', "https: do not verify the server's certificate (self-signed test servers)")
    .option(
      '--precise-starts',
      'open model: poll for µs-precise starts at any rate (costs up to a core; default: ~1 ms ticks above 100 starts/s)',
    )
    .option('--quiet', 'no progress line and no text report')
    .option(
      '--trace-propagate',
      "HTTP: send each request a fresh sampled W3C traceparent; the report names the slowest requests' trace ids",
    )
    .option(
      '--dashboard [port]',
      'serve the live page of the run (default port 3000; 0 = a free one); give it after the URL',
    )
    .option(
      '--dashboard-target <url>',
      "add a service's /metrics to the --dashboard page, on the same time axis (repeatable; NAME=URL)",
      collect,
    );
  addLoadFlags(cmd);
  cmd.action(async (url: string, raw: Record<string, unknown>) => {
    const flags = readConfig(LOAD_FLAGS, raw, {});
    const options = toLoadOptions(
      url,
      flags,
      (raw.header as string[] | undefined) ?? [],
      (raw.threshold as string[] | undefined) ?? [],
      raw.templateBody === true,
    );
    if (raw.insecure === true) options.insecure = true;
    if (raw.preciseStarts === true) options.preciseStarts = true;
    if (raw.tracePropagate === true) {
      if (options.grpc) throw new PeaklabError('PL_USAGE', '--trace-propagate is for HTTP targets');
      const { newTracePrefix } = await import('../../load/trace-propagate.js');
      options.traceIdPrefix = newTracePrefix();
    }
    if (options.seed !== undefined && !options.scenario) {
      throw new PeaklabError('PL_USAGE', "--seed is for --scenario (it seeds the flows' api.random())");
    }
    const vars = (raw.var as string[] | undefined) ?? [];
    if (vars.length > 0) {
      if (!options.scenario) throw new PeaklabError('PL_USAGE', '--var is for --scenario');
      options.vars = parseVars(vars);
    }
    const quiet = raw.quiet === true;
    const dashboardTargets = (raw.dashboardTarget as string[] | undefined) ?? [];
    const dashboardPort = parseDashboardPort(raw.dashboard, dashboardTargets.length > 0);
    const live = !quiet && ctx.out.isTTY === true;
    const progress = new Progress();
    const stop = new AbortController();
    // Ctrl+C (or SIGTERM, as CI runners and `timeout` send) stops sending; the run waits briefly
    // for requests in flight and reports what it has, then exits 130 (SIGTERM: 143) below. A second
    // signal is the default: the process ends at once.
    let stoppedBy: 'SIGINT' | 'SIGTERM' | undefined;
    const onSigint = () => {
      stoppedBy ??= 'SIGINT';
      stop.abort();
    };
    const onSigterm = () => {
      stoppedBy ??= 'SIGTERM';
      stop.abort();
    };
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigterm);
    // Imported on use: --help and bad flags answer without loading the engine and HDR histograms.
    const { runLoad } = await import('../../load/mod.js');
    let result: LoadResult;
    let dashboard: LoadDashboard | undefined;
    try {
      if (dashboardPort !== undefined) {
        // Loaded only with --dashboard: the page server and its bundled uPlot cost the others nothing.
        const { startLoadDashboard } = await import('./load-dashboard.js');
        dashboard = await startLoadDashboard({
          port: dashboardPort,
          targets: dashboardTargets,
          okStatus: options.okStatus,
          protocol: options.target.trim().startsWith('grpc:') ? 'grpc' : 'http',
        });
        ctx.err.write(`peaklab: live dashboard at ${dashboard.url}\n`);
      }
      const page = dashboard;
      result = await runLoad(options, {
        signal: stop.signal,
        onSecond:
          live || page
            ? (s) => {
                page?.onSecond(s);
                if (live) ctx.out.write(`\r\x1b[2K${progress.line(s)}`);
              }
            : undefined,
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
      if (live) ctx.out.write('\r\x1b[2K');
      await dashboard?.close();
    }
    if (flags.out) writeOutput(flags.out, renderReport(result, 'json'));
    if (flags.html) writeOutput(flags.html, renderReport(result, 'html'));
    if (!quiet) ctx.out.write(renderReport(result, 'text'));
    if (result.interrupted && stoppedBy === 'SIGTERM') {
      throw new PeaklabError(
        'PL_TERMINATED',
        'terminated (SIGTERM): the report covers the run so far; thresholds are not a verdict',
      );
    }
    if (result.interrupted) {
      // A partial run must not pass a CI gate, whatever its thresholds said so far.
      throw new PeaklabError(
        'PL_INTERRUPTED',
        'interrupted (Ctrl+C): the report covers the run so far; thresholds are not a verdict',
      );
    }
    const failed = (result.thresholds ?? []).filter((t) => !t.passed);
    if (failed.length > 0) {
      throw new PeaklabError(
        'PL_THRESHOLD_FAILED',
        `threshold${failed.length > 1 ? 's' : ''} failed: ${failed.map((t) => `${t.expression} (${t.detail})`).join('; ')}`,
      );
    }
  });
}
