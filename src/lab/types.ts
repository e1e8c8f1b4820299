/**
 * The shapes of the smooth-corners experiment: its settings, what it records while each mode runs,
 * and what it derives from that. The analysis, the report and results.json all build on these.
 */
import type { LatencySummary, LoadSummary, SecondStats } from '../load/types.js';

export type LabMode = 'shed' | 'queue';
export const LAB_MODES: readonly LabMode[] = ['shed', 'queue'];

export interface SineShape {
  minRps: number;
  maxRps: number;
  periodMs: number;
  cycles: number;
}

export interface LabSettings extends SineShape {
  outDir: string;
  rpsLimit: number;
  processRps: number;
  /** How long queue mode keeps watching after the load, waiting for the backlog to drain. */
  drainTimeoutMs: number;
  quick: boolean;
  open: boolean;
  /** Set: the service uses Postgres; unset: embedded PGlite. */
  databaseUrl?: string;
  /** Set: the service uses JetStream; unset: the in-process queue. */
  natsUrl?: string;
}

export interface Backends {
  database: 'postgres' | 'pglite';
  queue: 'jetstream' | 'in-process';
}

/** The service metrics the lab reads from one scrape of /metrics; absent metrics are 0. */
export interface ServiceMetrics {
  /** POST /orders responses by status, cumulative. */
  httpByStatus: Record<string, number>;
  workDone: number;
  workError: number;
  queueDepth: number;
  inflight: number;
  e2eCount: number;
  e2eSumSeconds: number;
  processingCount: number;
  processingSumSeconds: number;
  cpuSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  eventLoopLagP99Seconds: number;
  /** The gauges of EXPORTED_EXTRAS this scrape held, by metric name (summed over labels). */
  extra?: Record<string, number>;
}

/** One scrape, taken at `atMs` after the load started; `metrics` is null when the scrape failed. */
export interface ScrapeSample {
  atMs: number;
  metrics: ServiceMetrics | null;
}

/** One reading of the backlog probe, `atMs` after the load started; `depth` is null when the read failed. */
export interface BacklogReading {
  atMs: number;
  depth: number | null;
}

export interface OrderTiming {
  id: string;
  acceptedAt: number;
  processedAt: number | null;
}

/** Everything one mode's run recorded: the raw material of the analysis. */
export interface ModeRecording {
  mode: LabMode;
  /** Epoch ms when the load started: second 0 of every timeline. */
  startedAt: number;
  loadEndMs: number;
  /** When watching stopped (after the drain, in queue mode), in ms after the load started. */
  watchEndMs: number;
  /** Queue mode: the probe read 0 twice in a row, at least 1 s after the load ended. Shed: true. */
  drained: boolean;
  /**
   * Queue mode's backlog as the probe read it, every 0.5 s from the load's start to the end of the
   * watch; `afterStop` is a durable queue's backlog read once the service had stopped (null: none).
   * Shed mode has no queue: no readings.
   */
  backlog: { source: string; readings: BacklogReading[]; afterStop: number | null };
  load: {
    summary: LoadSummary;
    latency: LatencySummary;
    serviceTime: LatencySummary;
    timeline: SecondStats[];
  };
  scrapes: ScrapeSample[];
  timings: OrderTiming[];
  /** Server-side request latency by status, from the final scrape's histogram buckets. */
  serverLatency: Record<
    string,
    {
      count: number;
      p50Ms: number | null;
      p99Ms: number | null;
      p50LeMs: number | null;
      p99LeMs: number | null;
    }
  >;
  service: { args: string[]; stream?: string; schema?: string };
  /** Metric family names the service exported in the final scrape (_bucket/_sum/_count folded). */
  metricNames?: string[];
}

/** One second of one mode, everything the charts draw. Nulls are gaps (no data that second). */
export interface ModeSecond {
  second: number;
  target: number | null;
  started: number | null;
  status: Record<string, number>;
  httpP50Ms: number | null;
  httpP99Ms: number | null;
  workDone: number | null;
  workError: number | null;
  /** Responses by status in this second, as the service counted them (http_requests_total); null: a gap. */
  serverStatus: Record<string, number> | null;
  /** orders_queue_depth as scraped (with JetStream the service samples it once a second). */
  queueDepth: number | null;
  /** The highest backlog the probe read in this second (see ModeAnalysis.backlogSource). */
  backlog: number | null;
  inflight: number | null;
  processed: number;
  e2eP50Ms: number | null;
  e2eP99Ms: number | null;
  e2eMaxMs: number | null;
  /** Mean accepted → processed time of this second, from the service's orders_end_to_end_seconds. */
  serverE2eMeanMs: number | null;
  cpuPercent: number | null;
  rssMb: number | null;
  heapMb: number | null;
  eventLoopLagP99Ms: number | null;
}

/** A mode's summary; the keys are the words of the report's table. */
export interface ModeSummary {
  sent: number;
  accepted: number;
  rejected: number;
  /** Other failures: 4xx, other statuses and transport errors. */
  failed: number;
  dropped: number;
  /** Orders the service answered 2xx, by its own http_requests_total (null: no final scrape). */
  acknowledged: number | null;
  processed: number;
  /** Rows in the orders table, processed or not. */
  rows: number;
  /** Orders still in a durable queue (JetStream) after the service stopped; null: nothing outlives it. */
  queuedAfterStop: number | null;
  /**
   * Acknowledged orders (the larger of the client's and the service's 2xx count) with no processed row
   * in the database and not in a durable queue after the stop. Counted from the rows, never guessed.
   */
  lost: number;
  /** ∫ max(0, R(t) − limit) dt: the shed's refusals, predicted from the settings; null in queue mode. */
  predictedRejected: number | null;
  httpP50Ms: number;
  httpP99Ms: number;
  httpMaxMs: number;
  serviceTimeP99Ms: number;
  /** The backlog probe's highest reading, and when. */
  peakBacklog: number;
  peakBacklogAtSecond: number | null;
  /** orders_queue_depth's highest scraped value. */
  peakQueueDepth: number;
  /** Seconds of the timeline in which some backlog reading was above 0. */
  backlogSeconds: number;
  /** Each sine cycle's highest backlog reading; null: no reading in that cycle. */
  backlogPeaks: Array<number | null>;
  /** The lowest reading after each cycle's peak, before the next peak (the last: after the load). */
  backlogLows: Array<number | null>;
  /** The same two from a fluid model of the settings (arrivals minus --process-rps): a prediction. */
  predictedBacklogPeaks: Array<number | null>;
  predictedBacklogLows: Array<number | null>;
  /** Mean orders processed per second over the seconds a backlog waited: the capacity as measured. */
  processedPerSWhileBacklogged: number | null;
  /** Queue mode: the probe read 0 twice in a row, at least 1 s after the load ended. Shed: true. */
  drained: boolean;
  /** The probe's last successful reading before the service was stopped; null: none succeeded. */
  backlogAtEnd: number | null;
  drainSeconds: number | null;
  drainAfterLoadSeconds: number | null;
  e2eP50Ms: number | null;
  e2eP99Ms: number | null;
  e2eMaxMs: number | null;
  workDone: number;
  workError: number;
  /** Mean time of the work itself per order, from orders_processing_seconds. */
  processingMeanMs: number | null;
  peakInflight: number;
  peakCpuPercent: number | null;
  peakRssMb: number | null;
  peakHeapMb: number | null;
  peakEventLoopLagMs: number | null;
  loadSeconds: number;
  watchSeconds: number;
}

export interface ModeAnalysis {
  mode: LabMode;
  summary: ModeSummary;
  timeline: ModeSecond[];
  serverLatency: ModeRecording['serverLatency'];
  /** What the backlog readings are (queue mode), or why there are none (shed mode). */
  backlogSource: string;
  /** POST /orders responses by status over the whole mode, from the service's final scrape. */
  serverStatus: Record<string, number>;
  service: ModeRecording['service'];
  /** What the service exported in this run: metric names, and each extra gauge's peak over the scrapes. */
  exported: { names: string[]; peaks: Record<string, number> };
}

/**
 * What a sentence of an answer rests on. measured: this run's numbers; design: how the service is built,
 * not tested by this run; model: computed from the settings, a prediction; method: what the lab did or
 * suggests, no claim about the service.
 */
export type ClaimBasis = 'measured' | 'design' | 'model' | 'method';

export interface Claim {
  basis: ClaimBasis;
  text: string;
  /** Every number the text quotes, by its path in results.json ("modes.queue.summary.lost"). */
  figures: Record<string, number | null>;
}

export interface Answer {
  question: string;
  paragraphs: Claim[];
  /** A list after the paragraphs (what can go wrong; the metrics of question 3). */
  items?: Claim[];
}

export interface LabResult {
  schema: 'peaklab.lab-result/v2';
  experiment: 'smooth-corners';
  startedAt: string;
  settings: Omit<LabSettings, 'databaseUrl' | 'natsUrl' | 'open'>;
  backends: Backends;
  modes: Record<LabMode, ModeAnalysis>;
  answers: Answer[];
}
