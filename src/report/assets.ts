import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** uPlot's minified script and stylesheet, read once and inlined so a report opens offline. */
export interface ChartAssets {
  script: string;
  style: string;
}

let cached: ChartAssets | undefined;

export function chartAssets(): ChartAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot'));
  cached = {
    script: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
  };
  return cached;
}
