import { readFileSync } from 'node:fs';
import { PeaklabError } from '../shared/errors.js';
import type { LoadResult } from './types.js';

export const RESULT_SCHEMA = 'peaklab.load-result/v1';

/** Reads a saved `--out` result, refusing anything that is not a v1 load result. */
export function readResult(path: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new PeaklabError('PL_FILE_INVALID', `cannot read ${path}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new PeaklabError('PL_RESULT_INVALID', `${path} is not JSON`);
  }
  const r = data as Partial<LoadResult> | null;
  if (!r || typeof r !== 'object' || r.schema !== RESULT_SCHEMA) {
    throw new PeaklabError('PL_RESULT_INVALID', `${path} is not a ${RESULT_SCHEMA} result`);
  }
  if (!r.summary || !r.latency || !r.serviceTime || !Array.isArray(r.timeline) || !r.settings) {
    throw new PeaklabError(
      'PL_RESULT_INVALID',
      `${path} lacks summary, latency, serviceTime, timeline or settings`,
    );
  }
  return r as LoadResult;
}
