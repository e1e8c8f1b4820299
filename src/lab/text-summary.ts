import { formatMs } from '../shared/duration.js';
import type { LabResult, ModeSummary } from './types.js';

function ms(v: number | null): string {
  return v === null ? 'n/a' : formatMs(v);
}

function drain(s: ModeSummary): string {
  if (s.peakBacklog === 0) return '';
  return s.drained
    ? `, drained ${s.drainSeconds}s after its last peak`
    : `, NOT drained (${s.backlogAtEnd ?? 'unknown'} waiting)`;
}

function line(mode: string, s: ModeSummary): string {
  const predicted = s.predictedRejected === null ? '' : ` (predicted ${Math.round(s.predictedRejected)})`;
  const queued = s.queuedAfterStop ? `  still in JetStream ${s.queuedAfterStop}` : '';
  const backlog = mode === 'queue' ? `  backlog peak ${s.peakBacklog}${drain(s)}` : '';
  return (
    `${mode.padEnd(5)}  sent ${s.sent}  accepted ${s.accepted}  rejected ${s.rejected}${predicted}  ` +
    `processed ${s.processed}${queued}  lost ${s.lost}  HTTP p99 ${ms(s.httpP99Ms)}${backlog}  ` +
    `end-to-end p99 ${ms(s.e2eP99Ms)}`
  );
}

/** The run in a few lines for the terminal; the report has the rest. */
export function formatSummaryLines(result: LabResult): string[] {
  return [
    `smooth-corners (${result.backends.queue} queue, ${result.backends.database} database)`,
    line('shed', result.modes.shed.summary),
    line('queue', result.modes.queue.summary),
  ];
}
