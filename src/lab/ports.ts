import type { LoadHooks, LoadOptions, LoadResult } from '../load/types.js';
import type { OrderTiming } from './types.js';

/** A running `peaklab serve orders` child process. */
export interface ServiceHandle {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Every log line so far, for diagnostics when something fails. */
  readonly output: readonly string[];
  /** SIGTERM, then the exit code (null if it died by a signal). */
  stop(): Promise<number | null>;
  /** Resolves with the exit code when the process ends, whoever ended it. */
  readonly exited: Promise<number | null>;
}

/** Where a queue's backlog can be read: JetStream when `natsUrl` is set, else the service's /metrics. */
export interface BacklogLocation {
  natsUrl?: string;
  /** The JetStream stream the service works from. */
  stream: string;
  /** The service's /metrics URL (the in-process queue's depth, computed when scraped). */
  metricsUrl: string;
}

/**
 * Reads the queue's backlog (orders waiting plus in flight) fresh at every call, from the source of
 * truth: the JetStream consumer itself, not a gauge the service samples once a second.
 */
export interface BacklogProbe {
  /** What a reading is, for the report: "JetStream consumer num_pending + num_ack_pending". */
  readonly source: string;
  /** True when the backlog outlives the service (JetStream): it can still be read after a stop. */
  readonly durable: boolean;
  /** Orders waiting plus in flight, now. Rejects when the source cannot be read in time. */
  read(signal?: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

export interface StoreLocation {
  databaseUrl?: string;
  dataDir: string;
  schema?: string;
}

/**
 * The experiment's I/O edges: the service it starts, the load it drives, the rows it counts.
 * The orchestration depends only on these; adapters.ts binds them to the real pieces.
 */
export interface LabPorts {
  startService(args: readonly string[], env: Record<string, string | undefined>): Promise<ServiceHandle>;
  runLoad(opts: LoadOptions, hooks: LoadHooks): Promise<LoadResult>;
  /** A reader of queue mode's backlog, opened once the service is up (its stream exists then). */
  openBacklogProbe(where: BacklogLocation): Promise<BacklogProbe>;
  /** Every order row with its accepted/processed times, read after the service has stopped. */
  readTimings(where: StoreLocation): Promise<OrderTiming[]>;
}
