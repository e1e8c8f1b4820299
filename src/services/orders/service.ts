import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { describeError, PeaklabError } from '../../shared/errors.js';
import { createMetricsRegistry } from '../../telemetry/mod.js';
import { openBackends } from './backends.js';
import type { ServeConfig, WorkerConfig } from './config.js';
import { buildHttpApp } from './http.js';
import { type Answer, Intake, KAPUT, SHED_503 } from './intake.js';
import { createOrderMetrics } from './metrics.js';
import { OrderProcessor } from './processor.js';
import { RatePacer } from './rate-pacer.js';
import { ShedWindow } from './shed-window.js';
import { WorkerPool } from './worker-pool.js';

export interface RunningService {
  readonly url: string;
  /** Stop accepting, finish what is in flight, release the rest, close connections. */
  close(): Promise<void>;
}

async function listen(app: FastifyInstance, cfg: WorkerConfig): Promise<string> {
  await app.listen({ port: cfg.port, host: cfg.listenHost });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : cfg.port;
  const host = cfg.listenHost === '0.0.0.0' || cfg.listenHost === '::' ? '127.0.0.1' : cfg.listenHost;
  return `http://${host}:${port}`;
}

/**
 * Starts the orders service: `intake` true for `serve orders` (POST /orders in the given mode; in
 * queue mode also the worker pool), false for `worker orders` (workers plus /metrics only).
 */
export async function startOrders(
  cfg: WorkerConfig & Partial<ServeConfig>,
  logger: Logger,
  intakeOn: boolean,
): Promise<RunningService> {
  const mode = intakeOn ? (cfg.mode ?? 'queue') : 'queue';
  if (intakeOn && mode === 'queue' && cfg.workers === 0 && cfg.natsUrl === undefined) {
    // Nobody else can drain an in-process queue: every order accepted would wait forever.
    throw new PeaklabError(
      'PL_CONFIG_INVALID',
      '--workers 0 (intake only) needs a shared queue: set NATS_URL, or run workers in this process',
    );
  }
  const { store, queue } = await openBackends(cfg, logger, mode === 'queue');
  const registry = createMetricsRegistry();
  const metrics = createOrderMetrics(registry, () => queue?.depth() ?? 0);
  const processor = new OrderProcessor({
    store,
    pacer: new RatePacer(cfg.processRps),
    workMs: cfg.workMs,
    faults: { failRate: cfg.failRate, failProduct: cfg.failProduct },
    metrics,
  });
  const pool =
    queue !== undefined && cfg.workers > 0
      ? new WorkerPool({
          source: queue,
          processor,
          metrics,
          logger,
          workers: cfg.workers,
          maxAttempts: cfg.maxAttempts,
          backoffMs: cfg.backoffMs,
        })
      : undefined;
  const shedAnswer: Answer = cfg.shedStatus === '503' ? SHED_503 : KAPUT;
  const intake = intakeOn
    ? new Intake({
        mode,
        processor,
        queue,
        shed: new ShedWindow(mode === 'shed' ? (cfg.rpsLimit ?? 0) : 0),
        shedAnswer,
        metrics,
        logger,
      })
    : undefined;
  const readiness = [() => store.ping(), ...(queue ? [() => queue.ping()] : [])];
  const app = buildHttpApp({ intake, registry, logger, readiness });
  let url: string;
  try {
    url = await listen(app, cfg);
  } catch (err) {
    await Promise.allSettled([queue?.close(), store.close()]);
    throw new PeaklabError(
      'PL_CONFIG_INVALID',
      `cannot listen on ${cfg.listenHost}:${cfg.port}: ${describeError(err)}`,
      { cause: err },
    );
  }
  pool?.start();
  // Tools wait for this line (spawnPeaklab), so it is printed at any level short of silent.
  const announcer = logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
  announcer.info(
    { event: 'listening', url, mode: intakeOn ? mode : 'worker', workers: pool ? cfg.workers : 0 },
    `orders ${intakeOn ? `${mode} intake` : 'worker'} listening on ${url}`,
  );
  return {
    url,
    async close() {
      // close() drops idle keep-alive connections once; those still answering go idle later and
      // would otherwise be held for fastify's 72 s keep-alive timeout, so keep dropping them.
      const sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(sweeper);
      }
      await pool?.stop();
      await queue?.close();
      await store.close();
    },
  };
}
