import { formatMs } from '../shared/duration.js';
import type { SecondStats } from './types.js';

/** Totals for the live progress line, fed one finished second at a time. */
export class Progress {
  private completed = 0;
  private failed = 0;
  private drainSeconds = 0;

  /**
   * The one-line display after `s`. A schedule second: elapsed, requests started in it, its p99,
   * errors so far. A drain second (after the schedule, nothing starts): "drain +Ns" and what
   * completed in it instead of a rate.
   */
  line(s: SecondStats): string {
    this.completed += s.completed;
    let failed = s.failed;
    if (failed === undefined) {
      // A second from an older peaklab: non-2xx statuses and errors.
      failed = 0;
      for (const [code, n] of Object.entries(s.status))
        if (!code.startsWith('2') && code !== 'OK') failed += n;
      for (const n of Object.values(s.errors)) failed += n;
    }
    this.failed += failed;
    const pct = this.completed === 0 ? 0 : (this.failed / this.completed) * 100;
    const errors = `errors ${this.failed} (${pct.toFixed(1)}%)`;
    if (s.phase === 'drain') {
      this.drainSeconds++;
      return `  drain +${this.drainSeconds}s  completed ${s.completed}  p99 ${formatMs(s.p99Ms)}  ${errors}`;
    }
    return `  ${s.second + 1}s  rate ${s.started}/s  p99 ${formatMs(s.p99Ms)}  ${errors}`;
  }
}
