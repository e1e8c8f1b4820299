import type { Command } from 'commander';
import { readConfig } from '../../config/mod.js';
import { addLoadFlags, LOAD_FLAGS, toLoadOptions } from '../../load/flags.js';
import type { LoadResult } from '../../load/mod.js';
import { renderReport, writeOutput } from '../../load/outputs.js';
import { Progress } from '../../load/progress.js';
import { PeaklabError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';

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
    .option('--template-body', 'fill {{templates}} in a --body @file too (read as UTF-8 text)')
    .option('--quiet', 'no progress line and no text report')
    .option(
      '--trace-propagate',
      "HTTP: send each request a fresh sampled W3C traceparent; the report names the slowest requests' trace ids",
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
    if (raw.tracePropagate === true) {
      if (options.grpc) throw new PeaklabError('PL_USAGE', '--trace-propagate is for HTTP targets');
      const { newTracePrefix } = await import('../../load/trace-propagate.js');
      options.traceIdPrefix = newTracePrefix();
    }
    const quiet = raw.quiet === true;
    const live = !quiet && ctx.out.isTTY === true;
    const progress = new Progress();
    const stop = new AbortController();
    // Ctrl+C stops sending; the run waits briefly for requests in flight and reports what it has,
    // then exits 130 (below). A second Ctrl+C is the default: the process ends at once.
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    // Imported on use: --help and bad flags answer without loading the engine and HDR histograms.
    const { runLoad } = await import('../../load/mod.js');
    let result: LoadResult;
    try {
      result = await runLoad(options, {
        signal: stop.signal,
        onSecond: live ? (s) => ctx.out.write(`\r\x1b[2K${progress.line(s)}`) : undefined,
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
      if (live) ctx.out.write('\r\x1b[2K');
    }
    if (flags.out) writeOutput(flags.out, renderReport(result, 'json'));
    if (flags.html) writeOutput(flags.html, renderReport(result, 'html'));
    if (!quiet) ctx.out.write(renderReport(result, 'text'));
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
