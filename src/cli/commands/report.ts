import type { Command } from 'commander';
import { oneOf, optionalStr, readConfig } from '../../config/mod.js';
import type { CliContext } from '../context.js';

const FLAGS = {
  format: oneOf('report format', ['text', 'html', 'jtl', 'json'] as const, 'text'),
  output: optionalStr('write to this file instead of stdout', '<file>'),
};

/** `peaklab report result.json --format text|html|jtl`: rewrites a saved load result. */
export function registerReport(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('report')
    .description('rewrite a saved load result (from peaklab load --out) as text, HTML or JMeter CSV')
    .argument('<result>', 'a peaklab.load-result/v1 JSON file')
    .option('--format <text|html|jtl|json>', 'report format (default text)')
    .option('-o, --output <file>', 'write to this file instead of stdout');
  cmd.action(async (path: string, raw: Record<string, unknown>) => {
    const flags = readConfig(FLAGS, raw, {});
    // Loaded on use: the report renderers are not needed to register the command.
    const [{ renderReport, writeOutput }, { readResult }] = await Promise.all([
      import('../../load/outputs.js'),
      import('../../load/result-file.js'),
    ]);
    const text = renderReport(readResult(path), flags.format);
    if (flags.output) writeOutput(flags.output, text);
    else ctx.out.write(text);
  });
}
