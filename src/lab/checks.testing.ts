import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LABELS } from './answer-context.js';
import type { Claim, LabResult } from './types.js';

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
  assert.equal(queue.acknowledged, queue.accepted, `the service and the load generator disagree: ${detail}`);
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

/** The value of results.json at a dotted path ("modes.queue.summary.lost"); missing is null. */
export function valueAt(result: LabResult, path: string): unknown {
  let at: unknown = result;
  for (const key of path.split('.')) {
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  }
  return at ?? null;
}

/** Every claim of every answer, paragraphs and items. */
export function claimsOf(result: Pick<LabResult, 'answers'>): Claim[] {
  return result.answers.flatMap((a) => [...a.paragraphs, ...(a.items ?? [])]);
}

/**
 * The answers quote only this run: every number a claim quotes is results.json's value at the path it
 * names; a measured claim quotes at least one; a design or model claim opens with its label.
 */
export function assertAnswersQuoteTheRun(result: LabResult): void {
  for (const c of claimsOf(result)) {
    for (const [path, value] of Object.entries(c.figures)) {
      assert.deepEqual(valueAt(result, path), value, `"${c.text}" quotes ${path} = ${value}`);
    }
    if (c.basis === 'measured') {
      assert.ok(Object.keys(c.figures).length > 0, `a measured claim that quotes no number: "${c.text}"`);
    }
    if (c.basis === 'design' || c.basis === 'model') {
      assert.ok(c.text.startsWith(LABELS[c.basis]), `unlabelled ${c.basis} claim: "${c.text}"`);
    }
  }
}

/** The answers quote the counts the seed's questions turn on, and they are this run's. */
export function assertAnswersQuoteTheCounts(result: LabResult): void {
  const quoted = new Map(claimsOf(result).flatMap((c) => Object.entries(c.figures)));
  for (const key of [
    'shed.summary.rejected',
    'queue.summary.acknowledged',
    'queue.summary.processed',
    'queue.summary.lost',
    'queue.summary.peakBacklog',
    'queue.summary.backlogPeaks.0',
    'queue.summary.backlogLows.0',
  ]) {
    const path = `modes.${key}`;
    assert.ok(quoted.has(path), `the answers do not quote ${path}`);
    assert.equal(quoted.get(path), valueAt(result, path));
  }
}
