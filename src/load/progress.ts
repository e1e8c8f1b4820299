import { formatMs } from '../shared/duration.js';
import type { SecondStats } from './types.js';

/** Totals for the live progress line, fed one finished second at a time. */
export class Progress {
  private completed = 0;
  private failed = 0;

  /** The one-line display after `s`: elapsed, rate of that second, its p99, errors so far. */
  line(s: SecondStats): string {
    this.completed += s.completed;
    let failed = 0;
    for (const [code, n] of Object.entries(s.status)) if (!code.startsWith('2') && code !== 'OK') failed += n;
    for (const n of Object.values(s.errors)) failed += n;
    this.failed += failed;
    const pct = this.completed === 0 ? 0 : (this.failed / this.completed) * 100;
    return `  ${s.second + 1}s  rate ${s.started}/s  p99 ${formatMs(s.p99Ms)}  errors ${this.failed} (${pct.toFixed(1)}%)`;
  }
}
