import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabResult } from './types.js';

export async function readResults(dir: string): Promise<LabResult> {
  return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as LabResult;
}

/** The findings, checked on one run's results. */
export function assertSeedFindings(result: LabResult): void {
  const shed = result.modes.shed.summary;
  const queue = result.modes.queue.summary;
  const detail = JSON.stringify({ shed, queue });

  // Shed: refusals at every peak, as many as the integral of the sine above the limit predicts.
  assert.ok(shed.rejected > 0, `shed refused nothing: ${detail}`);
  const predicted = shed.predictedRejected ?? 0;
  assert.ok(predicted > 0);
  const off = Math.abs(shed.rejected - predicted) / predicted;
  assert.ok(
    off <= 0.1,
    `shed refused ${shed.rejected}, predicted ${predicted} (${(off * 100).toFixed(1)}% off)`,
  );
  assert.equal(shed.processed, shed.accepted, 'shed processes what it accepts, inline');
  // The seed: Work Done must match the status graph.
  assert.equal(shed.workDone, shed.accepted, `shed work_done_total{done} ≠ accepted: ${detail}`);
  assert.equal(shed.workError, shed.rejected, `shed work_done_total{error} ≠ rejected: ${detail}`);

  // Queue: nothing refused, nothing lost, a backlog that builds at the peak and drains after it.
  assert.equal(queue.rejected, 0, `queue refused orders: ${detail}`);
  assert.equal(queue.failed, 0, `queue had other failures: ${detail}`);
  assert.equal(queue.processed, queue.accepted, `processed ≠ accepted: ${detail}`);
  assert.equal(queue.lost, 0);
  assert.equal(queue.workDone, queue.processed, `queue work_done_total{done} ≠ processed: ${detail}`);
  assert.equal(queue.drained, true, `queue did not drain: ${detail}`);
  assert.equal(queue.accepted, queue.sent);
  assert.ok(queue.peakBacklog > 0, `no backlog: ${detail}`);
  assert.ok(queue.drainSeconds !== null && queue.drainSeconds > 0, `no drain: ${detail}`);
  assert.ok(queue.e2eMaxMs !== null && queue.e2eMaxMs > (shed.e2eMaxMs ?? 0), 'orders waited in the queue');

  // Both modes got the same load, on one time axis.
  assert.ok(Math.abs(shed.sent - queue.sent) <= 0.02 * shed.sent, `sent ${shed.sent} vs ${queue.sent}`);
  assert.equal(result.modes.shed.timeline.length, result.modes.queue.timeline.length);
  assert.equal(result.answers.length, 3);
}
