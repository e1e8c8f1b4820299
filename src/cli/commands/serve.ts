import type { Command } from 'commander';
import { addOptions, readConfig } from '../../config/mod.js';
import { SERVE_RULES, SERVE_SPEC } from '../../services/orders/config.js';
import type { CliContext } from '../context.js';

/** One `serve <name>` subcommand per service; each adds its own flags. */
const SERVICES: ReadonlyArray<(serve: Command, ctx: CliContext) => void> = [registerOrders];

function registerOrders(serve: Command, ctx: CliContext): void {
  const cmd = serve
    .command('orders')
    .description('the orders service: POST /orders in direct, shed or queue mode (see docs/orders.md)');
  addOptions(cmd, SERVE_SPEC).action(async (flags: Record<string, unknown>) => {
    const cfg = readConfig(SERVE_SPEC, flags, ctx.env, SERVE_RULES);
    // Loaded on use: --help and the other commands never pay for fastify, pg, NATS or PGlite.
    const [{ startOrders }, { onShutdownSignal }, { createLogger }] = await Promise.all([
      import('../../services/orders/service.js'),
      import('../../platform/lifecycle/signals.js'),
      import('../../shared/logger.js'),
    ]);
    const logger = createLogger('orders', cfg.logLevel);
    const service = await startOrders(cfg, logger, true);
    // The hard stop, a second past the bound every step already has: nothing may hang the exit.
    onShutdownSignal(logger, () => service.close(), { deadlineMs: service.shutdownDeadlineMs + 1000 });
  });
}

export function registerServe(program: Command, ctx: CliContext): void {
  const serve = program.command('serve').description('run a reference service (orders)');
  for (const register of SERVICES) register(serve, ctx);
}
