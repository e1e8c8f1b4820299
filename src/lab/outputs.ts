import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderLabReport } from './report.js';
import type { LabResult, LabSettings } from './types.js';

export interface LabFiles {
  report: string;
  results: string;
}

/** Writes DIR/results.json (every number, the settings, the backends) and DIR/report.html. */
export async function writeLabOutputs(result: LabResult, settings: LabSettings): Promise<LabFiles> {
  await mkdir(settings.outDir, { recursive: true });
  const files = {
    report: join(settings.outDir, 'report.html'),
    results: join(settings.outDir, 'results.json'),
  };
  await writeFile(files.results, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files.report, renderLabReport(result, settings));
  return files;
}
