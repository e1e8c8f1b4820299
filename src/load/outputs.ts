import { writeFileSync } from 'node:fs';
import { PeaklabError } from '../shared/errors.js';
import { renderLoadHtml } from './report-html.js';
import { renderJtl } from './report-jtl.js';
import { renderTextReport } from './report-text.js';
import { renderStepsText } from './scenario/report.js';
import type { LoadResult } from './types.js';

export type ReportFormat = 'text' | 'html' | 'jtl' | 'json';

export function renderReport(result: LoadResult, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return result.steps ? renderTextReport(result) + renderStepsText(result) : renderTextReport(result);
    case 'html':
      return renderLoadHtml(result);
    case 'jtl':
      return renderJtl(result);
    case 'json':
      return `${JSON.stringify(result, null, 2)}\n`;
  }
}

export function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new PeaklabError('PL_FILE_INVALID', `cannot write ${path}: ${(err as Error).message}`);
  }
}
