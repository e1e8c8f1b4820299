import { formatMs } from '../shared/duration.js';
import type { LabResult, ModeSummary } from './types.js';

function ms(v: number | null): string {
  return v === null ? 'n/a' : formatMs(v);
}

function drain(s: ModeSummary): string {
  if (s.peakBacklog === 0) return '';
  return s.drainSeconds === null ? ', NOT drained' : `, drained ${s.drainSeconds}s after its last peak`;
}

function line(mode: string, s: ModeSummary): string {
  return (
    `${mode.padEnd(5)}  sent ${s.sent}  accepted ${s.accepted}  rejected ${s.rejected} ` +
    `(predicted ${Math.round(s.predictedRejected ?? 0)})  processed ${s.processed}  lost ${s.lost}  ` +
    `HTTP p99 ${ms(s.httpP99Ms)}  backlog peak ${s.peakBacklog}${drain(s)}  end-to-end p99 ${ms(s.e2eP99Ms)}`
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
