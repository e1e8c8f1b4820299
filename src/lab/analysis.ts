import { answerQuestions } from './answers.js';
import { lastMetrics, summarize } from './summary.js';
import { buildTimeline, timelineLength } from './timeline.js';
import type { Backends, LabMode, LabResult, LabSettings, ModeAnalysis, ModeRecording } from './types.js';

/** One mode's timeline and summary; `length` puts both modes on the same time axis. */
export function analyzeMode(rec: ModeRecording, settings: LabSettings, length: number): ModeAnalysis {
  const timeline = buildTimeline(rec, length);
  return {
    mode: rec.mode,
    summary: summarize(rec, timeline, settings),
    timeline,
    serverLatency: rec.serverLatency,
    backlogSource: rec.backlog.source,
    serverStatus: { ...(lastMetrics(rec)?.httpByStatus ?? {}) },
    service: rec.service,
    exported: exportedOf(rec),
  };
}

/** The names the service exported, and each extra gauge's peak over the mode's scrapes. */
function exportedOf(rec: ModeRecording): ModeAnalysis['exported'] {
  const peaks: Record<string, number> = {};
  for (const s of rec.scrapes) {
    for (const [name, v] of Object.entries(s.metrics?.extra ?? {}))
      peaks[name] = Math.max(peaks[name] ?? v, v);
  }
  return { names: [...(rec.metricNames ?? [])], peaks };
}

/** Everything the experiment concluded, as results.json holds it and the report draws it. */
export function analyzeExperiment(
  settings: LabSettings,
  backends: Backends,
  recordings: Record<LabMode, ModeRecording>,
  startedAt: string,
): LabResult {
  const length = Math.max(timelineLength(recordings.shed), timelineLength(recordings.queue));
  const shed = analyzeMode(recordings.shed, settings, length);
  const queue = analyzeMode(recordings.queue, settings, length);
  const { databaseUrl: _db, natsUrl: _nats, open: _open, ...kept } = settings;
  return {
    schema: 'peaklab.lab-result/v2',
    experiment: 'smooth-corners',
    startedAt,
    settings: kept,
    backends,
    modes: { shed, queue },
    answers: answerQuestions({ settings, backends, shed, queue }),
  };
}

export function backendsOf(settings: Pick<LabSettings, 'databaseUrl' | 'natsUrl'>): Backends {
  return {
    database: settings.databaseUrl ? 'postgres' : 'pglite',
    queue: settings.natsUrl ? 'jetstream' : 'in-process',
  };
}
