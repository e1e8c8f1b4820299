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
}

/** One scrape, taken at `atMs` after the load started; `metrics` is null when the scrape failed. */
export interface ScrapeSample {
  atMs: number;
  metrics: ServiceMetrics | null;
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
  drained: boolean;
  load: {
    summary: LoadSummary;
    latency: LatencySummary;
    serviceTime: LatencySummary;
    timeline: SecondStats[];
  };
  scrapes: ScrapeSample[];
  timings: OrderTiming[];
  /** Server-side request latency by status, from the final scrape's histogram buckets. */
  serverLatency: Record<string, { count: number; p50Ms: number | null; p99Ms: number | null }>;
  service: { args: string[]; stream?: string; schema?: string };
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
  queueDepth: number | null;
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
  processed: number;
  /** Rows in the orders table, processed or not. */
  rows: number;
  lost: number;
  predictedRejected: number;
  httpP50Ms: number;
  httpP99Ms: number;
  httpMaxMs: number;
  serviceTimeP99Ms: number;
  peakBacklog: number;
  peakBacklogAtSecond: number | null;
  /** Whether the backlog was empty when watching stopped (always true in shed mode: it has none). */
  drained: boolean;
  /** Orders still in the queue at the final scrape. */
  backlogAtEnd: number;
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
  /** POST /orders responses by status over the whole mode, from the service's final scrape. */
  serverStatus: Record<string, number>;
  service: ModeRecording['service'];
}

export interface Answer {
  question: string;
  paragraphs: string[];
  /** A list after the paragraphs (the metrics of question 3). */
  items?: string[];
}

export interface LabResult {
  schema: 'peaklab.lab-result/v1';
  experiment: 'smooth-corners';
  startedAt: string;
  settings: Omit<LabSettings, 'databaseUrl' | 'natsUrl' | 'open'>;
  backends: Backends;
  modes: Record<LabMode, ModeAnalysis>;
  answers: Answer[];
}
