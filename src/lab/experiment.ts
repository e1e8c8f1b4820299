import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeaklabError } from '../shared/errors.js';
import { analyzeExperiment, backendsOf } from './analysis.js';
import { type LabFiles, writeLabOutputs } from './outputs.js';
import { plannedSeconds } from './plan.js';
import type { LabPorts } from './ports.js';
import type { Progress } from './progress.js';
import { type ModeRunContext, type ModeService, runMode, startModeService } from './run-mode.js';
import { LAB_MODES, type LabMode, type LabResult, type LabSettings, type ModeRecording } from './types.js';

export interface ExperimentOptions {
  ports: LabPorts;
  progress: Progress;
  signal?: AbortSignal;
}

/**
 * `peaklab lab smooth-corners`: the same sine load against the orders service in shed mode, then in
 * queue mode; analyse both on one time axis; write results.json and report.html.
 */
export async function runSmoothCorners(
  settings: LabSettings,
  { ports, progress, signal }: ExperimentOptions,
): Promise<{ result: LabResult; files: LabFiles }> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  // One id per run names its schemas and streams, so runs (and tests) never share state.
  const runId = `${startedAt.replace(/\D/g, '').slice(0, 14)}_${randomBytes(3).toString('hex')}`;
  const backends = backendsOf(settings);
  progress.note(
    `smooth-corners: ${backends.queue} queue, ${backends.database} database; ` +
      `sine ${settings.minRps}..${settings.maxRps} RPS, period ${settings.periodMs / 1000}s × ${settings.cycles}; ` +
      `writing to ${settings.outDir}`,
  );
  const recordings: Partial<Record<LabMode, ModeRecording>> = {};
  const scratch = await mkdtemp(join(tmpdir(), 'peaklab-lab-'));
  const contextOf = (mode: LabMode): ModeRunContext => ({
    settings,
    ports,
    progress,
    dataDir: join(scratch, mode),
    schema: `lab_${runId}_${mode}`,
    stream: `LAB_${runId}_${mode}`.toUpperCase(),
    elapsedS: () => (Date.now() - started) / 1000,
    totalS: plannedSeconds(settings),
    signal,
  });
  // Both services start together, before any load: start-up (creating an embedded database) costs
  // seconds of CPU and must not overlap a measured load, while an idle service costs nothing.
  const starting = LAB_MODES.map((mode) => startModeService(mode, contextOf(mode)));
  try {
    const services = await Promise.all(starting);
    for (const [i, mode] of LAB_MODES.entries()) {
      if (signal?.aborted) throw new PeaklabError('PL_LAB_FAILED', 'interrupted');
      const rec = await runMode(mode, contextOf(mode), services[i] as ModeService);
      recordings[mode] = rec;
      const s = rec.load.summary;
      const left = rec.backlog.afterStop
        ? `; ${rec.backlog.afterStop} still in JetStream after the stop`
        : '';
      progress.note(
        `${mode}: sent ${s.started}, statuses ${JSON.stringify(s.status)}, ${rec.timings.length} rows` +
          `${mode === 'queue' ? (rec.drained ? ', backlog drained' : `, backlog NOT drained in time${left}`) : ''}`,
      );
    }
  } finally {
    // Whatever failed, no service is left running (stopping a stopped one is a no-op).
    await Promise.all(starting.map((p) => p.then((svc) => svc.handle.stop()).catch(() => {})));
    progress.done();
    await rm(scratch, { recursive: true, force: true });
  }
  if (!recordings.shed || !recordings.queue) throw new PeaklabError('PL_LAB_FAILED', 'a mode did not run');
  const result = analyzeExperiment(
    settings,
    backends,
    { shed: recordings.shed, queue: recordings.queue },
    startedAt,
  );
  const files = await writeLabOutputs(result, settings);
  return { result, files };
}
