import type { Command } from 'commander';
import { addOptions, readConfig } from '../../config/mod.js';
import { WORKER_RULES, WORKER_SPEC } from '../../services/orders/config.js';
import type { CliContext } from '../context.js';

/** One `worker <name>` subcommand per service that has a separate worker side. */
const WORKERS: ReadonlyArray<(worker: Command, ctx: CliContext) => void> = [registerOrdersWorker];

function registerOrdersWorker(worker: Command, ctx: CliContext): void {
  const cmd = worker
    .command('orders')
    .description('orders workers only: drain the JetStream stream into the database (needs NATS_URL)');
  addOptions(cmd, WORKER_SPEC).action(async (flags: Record<string, unknown>) => {
    const cfg = readConfig(WORKER_SPEC, flags, ctx.env, WORKER_RULES);
    // Loaded on use: --help and the other commands never pay for fastify, pg, NATS or PGlite.
    const [{ startOrders }, { onShutdownSignal }, { createLogger }] = await Promise.all([
      import('../../services/orders/service.js'),
      import('../../platform/lifecycle/signals.js'),
      import('../../shared/logger.js'),
    ]);
    const logger = createLogger('orders-worker', cfg.logLevel);
    const service = await startOrders(cfg, logger, false);
    // The hard stop, a second past the bound every step already has: nothing may hang the exit.
    onShutdownSignal(logger, () => service.close(), { deadlineMs: service.shutdownDeadlineMs + 1000 });
  });
}

export function registerWorker(program: Command, ctx: CliContext): void {
  const worker = program.command('worker').description('run a service’s workers as a separate process');
  for (const register of WORKERS) register(worker, ctx);
}
