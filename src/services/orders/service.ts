import type { Logger } from 'pino';
import { sqlOptions } from '../../platform/config/groups.js';
import { startHttpServer } from '../../platform/http/app.js';
import { openSql } from '../../platform/postgres/open.js';
import { createWorkerPool } from '../../platform/queue/worker-pool.js';
import { logBackends, type RunningService, runService } from '../../platform/service.js';
import { otelTracer } from '../../platform/telemetry/otel-tracer.js';
import { BODY_LIMIT, ORDER_ERROR_BODIES, orderRoutes } from './adapters/http-routes.js';
import { createOrderMeter } from './adapters/metrics.js';
import { openOrderQueue, orderPublisher } from './adapters/queue.js';
import { ORDER_MIGRATIONS, SqlOrderStore } from './adapters/sql-store.js';
import type { ServeConfig, WorkerConfig } from './config.js';
import { isOrderFault } from './domain/faults.js';
import { Intake } from './domain/intake.js';
import type { Order } from './domain/order.js';
import { OrderProcessor } from './domain/processor.js';
import { RatePacer } from './domain/rate-pacer.js';
import { ShedWindow } from './domain/shed-window.js';

export type { RunningService };

/**
 * The orders composition root. `intakeOn` true for `serve orders` (POST /orders in the given mode;
 * in queue mode also the worker pool), false for `worker orders` (workers plus /metrics only).
 * Parts are opened in dependency order; each registers its own readiness and stop step.
 */
export function startOrders(
  cfg: WorkerConfig & Partial<ServeConfig>,
  logger: Logger,
  intakeOn: boolean,
): Promise<RunningService> {
  const mode = intakeOn ? (cfg.mode ?? 'queue') : 'queue';
  return runService(
    { name: 'orders', logger, drainTimeoutMs: cfg.drainTimeout, tracing: cfg, influx: cfg },
    async (rt) => {
      const db = await openSql(rt, sqlOptions(cfg, ORDER_MIGRATIONS));
      const store = new SqlOrderStore(db.client, db.schema, db.writeConcurrency, {
        traced: rt.tracing !== undefined,
      }).register(rt.lifecycle);
      const queue = mode === 'queue' ? await openOrderQueue(rt, cfg) : undefined;
      logBackends(rt, {
        store: db.description,
        queue: queue?.description ?? 'none (this mode processes inline)',
      });
      const meter = createOrderMeter(rt.registry, queue);
      const processor = new OrderProcessor({
        store,
        pacer: new RatePacer(cfg.processRps),
        workMs: cfg.workMs,
        faults: { failRate: cfg.failRate, failProduct: cfg.failProduct },
        meter,
        // Untraced: no span work per order at all (a no-op span still costs ~1-3% of a request).
        // Direct and shed modes process inside the request, so its SERVER span already times the
        // processing: a second span per order there would say nothing new and cost a span.
        tracer: rt.tracing && mode === 'queue' ? otelTracer('peaklab-orders') : undefined,
      });
      const pool =
        queue && cfg.workers > 0
          ? createWorkerPool<Order>(rt, {
              source: queue,
              handle: (order, delivery) => processor.process(order, delivery.faults + 1),
              classify: (err) => (isOrderFault(err) ? 'fault' : 'outage'),
              onDeadLettered: () => meter.error.inc(),
              idOf: (order) => order.id,
              logger,
              workers: cfg.workers,
              maxAttempts: cfg.maxAttempts,
              backoffMs: cfg.backoffMs,
              holdTimeoutMs: cfg.holdTimeout,
            })
          : undefined;
      const intake =
        intakeOn &&
        new Intake({
          mode,
          processor,
          queue: queue && orderPublisher(queue),
          shed: new ShedWindow(mode === 'shed' ? (cfg.rpsLimit ?? 0) : 0),
          meter,
          logger,
        });
      const http = await startHttpServer(rt, {
        listen: cfg,
        bodyLimit: BODY_LIMIT,
        errorBodies: ORDER_ERROR_BODIES,
        routes: intake ? orderRoutes(intake, cfg.shedStatus ?? '500') : undefined,
        announce: {
          what: `orders ${intakeOn ? `${mode} intake` : 'worker'}`,
          fields: { mode: intakeOn ? mode : 'worker', workers: pool ? cfg.workers : 0 },
        },
      });
      pool?.start();
      return http;
    },
  );
}
