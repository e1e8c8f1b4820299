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
  /** Every order row with its accepted/processed times, read after the service has stopped. */
  readTimings(where: StoreLocation): Promise<OrderTiming[]>;
}
