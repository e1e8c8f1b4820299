import type { Logger } from 'pino';
import { PeaklabError } from '../../shared/errors.js';
import type { WorkerConfig } from './config.js';
import { openJetStream } from './jetstream-queue.js';
import { MemoryQueue } from './memory-queue.js';
import { openPgStore } from './pg-store.js';
import { openPgliteStore } from './pglite-store.js';
import type { OrderQueue, OrderSource, OrderStore } from './ports.js';
import { isSchemaName } from './sql.js';

export interface Backends {
  readonly store: OrderStore;
  /** Absent in direct and shed modes, which need no queue. */
  readonly queue: (OrderQueue & OrderSource) | undefined;
}

export function checkSchema(schema: string): void {
  if (!isSchemaName(schema)) {
    throw new PeaklabError('PL_CONFIG_INVALID', `--db-schema: "${schema}" is not a plain SQL identifier`);
  }
}

export async function openStore(cfg: WorkerConfig): Promise<OrderStore> {
  checkSchema(cfg.dbSchema);
  return cfg.databaseUrl !== undefined
    ? openPgStore({ url: cfg.databaseUrl, schema: cfg.dbSchema, poolSize: cfg.dbPool })
    : openPgliteStore({ dataDir: cfg.dataDir, schema: cfg.dbSchema });
}

/**
 * Opens the store and the queue the config names, and logs which they are and what they
 * guarantee: the operator must know whether a crash can lose waiting orders.
 */
export async function openBackends(cfg: WorkerConfig, logger: Logger, withQueue: boolean): Promise<Backends> {
  const store = await openStore(cfg);
  try {
    let queue: Backends['queue'];
    if (withQueue) {
      queue =
        cfg.natsUrl !== undefined
          ? await openJetStream({ url: cfg.natsUrl, stream: cfg.stream, logger })
          : new MemoryQueue();
    }
    const queueText = queue?.description ?? 'none (this mode processes inline)';
    logger.info(
      { event: 'backends', store: store.description, queue: queueText },
      `store: ${store.description}; queue: ${queueText}`,
    );
    return { store, queue };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}
