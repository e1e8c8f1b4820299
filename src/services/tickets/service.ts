import type { Logger } from 'pino';
import { sqlOptions } from '../../platform/config/groups.js';
import { startHttpServer } from '../../platform/http/app.js';
import { openSql } from '../../platform/postgres/open.js';
import { logBackends, type RunningService, runService } from '../../platform/service.js';
import { serviceTracer } from '../../platform/telemetry/otel-tracer.js';
import { BODY_LIMIT, TICKET_ERROR_BODIES, ticketRoutes } from './adapters/http-routes.js';
import { TicketIntake } from './adapters/intake.js';
import { createTicketMeter } from './adapters/metrics.js';
import { Treater } from './adapters/treater.js';
import type { TicketsConfig } from './config.js';
import { ticketComponent } from './pg/component.js';
import { ticketSql } from './pg/sql.js';
import { readBacklog } from './pg/store.js';
import { signatureVerifier } from './signature.js';

export type { RunningService as RunningTickets };

const ACK = {
  durable: '202 once the raw body is committed; parsing follows in the workers',
  'after-parse': '202 once the body is committed, parsed and its products upserted (the seed)',
} as const;

/**
 * The tickets composition root: Postgres (or PGlite, logged) with the tickets migrations, the
 * parsing workers (which first pick up whatever an earlier run left `received`), the group-commit
 * intake, then HTTP. Each part registers its own readiness and stop step; stopping ends the intake
 * first, then works the backlog off within the drain deadline. Throws PL_CONFIG_INVALID for an
 * empty secret or a port it cannot bind, PL_BACKEND_UNAVAILABLE when the database cannot be opened.
 */
export function startTickets(cfg: TicketsConfig, logger: Logger): Promise<RunningService> {
  return runService(
    { name: 'tickets', logger, drainTimeoutMs: cfg.drainTimeout, tracing: cfg, influx: cfg },
    async (rt) => {
      const verifier = cfg.secret === undefined ? undefined : signatureVerifier(cfg.secret);
      const db = await openSql(rt, sqlOptions(cfg, ticketComponent(cfg.dbSchema)));
      const sql = ticketSql(db.schema);
      const meter = createTicketMeter(rt.registry, () => readBacklog(db.client, sql));
      const tracer = serviceTracer(rt.tracing !== undefined, 'peaklab-tickets');
      // Registered before the intake, so it stops after it: the last tickets stored get treated.
      const treater = rt.lifecycle.add(
        new Treater({
          client: db.client,
          transaction: db.transaction,
          sql,
          meter,
          logger,
          tracer,
          workers: cfg.workers,
          batch: cfg.claimBatch,
          // Declared below; only called once the loops run, after the intake exists.
          intakeBusy: () => intake.busy(),
        }),
      );
      const intake = new TicketIntake({
        client: db.client,
        transaction: db.transaction,
        sql,
        mode: cfg.ack,
        meter,
        tracer,
        writeConcurrency: db.writeConcurrency,
        onStored: () => treater.wake(),
        maxPendingBytes: cfg.intakeBuffer * 1024 * 1024,
      }).register(rt.lifecycle);
      logBackends(rt, {
        store: db.description,
        ack: ACK[cfg.ack],
        signature: verifier ? 'X-Signature required (HMAC-SHA256)' : 'none (no --secret)',
      });
      treater.start();
      return startHttpServer(rt, {
        listen: cfg,
        bodyLimit: BODY_LIMIT,
        errorBodies: TICKET_ERROR_BODIES,
        routes: ticketRoutes({ intake, client: db.client, sql, meter, logger, verifier }),
        announce: { what: 'tickets', fields: { ack: cfg.ack, workers: cfg.workers } },
      });
    },
  );
}
