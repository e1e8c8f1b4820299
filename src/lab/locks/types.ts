import type { Mode } from '../../services/counter/ports.js';

export type LockStore = 'memory' | 'redis';

/** What `peaklab lab locks` runs: every mode × store × VU level, one closed-model step each. */
export interface LocksSettings {
  outDir: string;
  modes: readonly Mode[];
  stores: readonly LockStore[];
  /** Closed-model virtual users per step, ascending. */
  vus: readonly number[];
  /** How long each step's load runs (ms), before its calls in flight drain. */
  stepMs: number;
  /** The memory store's simulated I/O per read (µs; ends on the next 1 ms timer tick). */
  ioUs: number;
  /** Where `--store redis` goes. */
  redisUrl: string;
  quick: boolean;
  open: boolean;
}

/** One step: one mode and store under `vus` closed-model users for stepMs. */
export interface LockStep {
  mode: Mode;
  store: LockStore;
  vus: number;
  /** gRPC calls answered OK (each an increment of 1) and all others, as the load generator saw them. */
  ok: number;
  failed: number;
  /** Failed calls by gRPC status or error kind. */
  failures: Record<string, number>;
  /** Seconds from the first call to the last answer (load plus drain). */
  seconds: number;
  /** ok / seconds. */
  throughput: number;
  /** Latency of all calls, ms. */
  p50: number;
  p95: number;
  p99: number;
  /** The counter's own total (counter_value) before and after the step. */
  before: number;
  after: number;
  /** after − before: the increments the store kept. */
  applied: number;
  /** ok − applied: acknowledged increments the store does not hold (unsafe's lost updates). */
  lost: number;
  /** applied === ok: every acknowledged increment is in the store, and nothing else. */
  exact: boolean;
  /** inputq: increments per owner round trip in this step (counter_inputq_batch_size), else null. */
  meanBatch: number | null;
}

export interface LocksResult {
  schema: 'peaklab.lab-locks/v1';
  startedAt: string;
  settings: LocksSettings;
  /** Node and the machine: where the numbers come from. */
  environment: { node: string; cores: number; loadAverageBefore: number[]; loadAverageAfter: number[] };
  steps: LockStep[];
  /** The seed's question, answered from `steps`: when a lock, when a queue, when neither. */
  answers: Array<{ question: string; answer: string }>;
}
