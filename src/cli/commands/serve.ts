import type { Command } from 'commander';
import { addOptions, readConfig } from '../../config/mod.js';
import { COUNTER_RULES, COUNTER_SPEC } from '../../services/counter/config.js';
import { SERVE_RULES, SERVE_SPEC } from '../../services/orders/config.js';
import { SALE_RULES, SALE_SPEC } from '../../services/sale/config.js';
import { TICKETS_RULES, TICKETS_SPEC } from '../../services/tickets/config.js';
import type { CliContext } from '../context.js';

/** One `serve <name>` subcommand per service; each adds its own flags. */
const SERVICES: ReadonlyArray<(serve: Command, ctx: CliContext) => void> = [
  registerOrders,
  registerSale,
  registerCounter,
  registerTickets,
];

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

function registerSale(serve: Command, ctx: CliContext): void {
  const cmd = serve
    .command('sale')
    .description('the hourly flash sale: POST /checkout and /purchase, never oversold (see docs/sale.md)');
  addOptions(cmd, SALE_SPEC).action(async (flags: Record<string, unknown>) => {
    const cfg = readConfig(SALE_SPEC, flags, ctx.env, SALE_RULES);
    // Loaded on use, as for orders: --help never pays for fastify, pg, ioredis or PGlite.
    const [{ startSale }, { onShutdownSignal }, { createLogger }] = await Promise.all([
      import('../../services/sale/service.js'),
      import('../../platform/lifecycle/signals.js'),
      import('../../shared/logger.js'),
    ]);
    const logger = createLogger('sale', cfg.logLevel);
    const service = await startSale(cfg, logger);
    onShutdownSignal(logger, () => service.close(), { deadlineMs: service.shutdownDeadlineMs + 1000 });
  });
}

function registerCounter(serve: Command, ctx: CliContext): void {
  const cmd = serve
    .command('counter')
    .description('the gRPC counter: mutex vs inputq vs atomic vs unsafe (see docs/counter.md)');
  // --allow-unsafe is a switch: declared by hand so it needs no value (the other flags from the spec).
  const { allowUnsafe, ...flagged } = COUNTER_SPEC;
  addOptions(cmd, flagged)
    .option('--allow-unsafe [bool]', `${allowUnsafe.description}; env ALLOW_UNSAFE`)
    .action(async (flags: Record<string, unknown>) => {
      const cfg = readConfig(COUNTER_SPEC, flags, ctx.env, COUNTER_RULES);
      // Loaded on use: --help and the other commands never pay for grpc-js, fastify or ioredis.
      const [{ startCounter }, { onShutdownSignal }, { createLogger }] = await Promise.all([
        import('../../services/counter/service.js'),
        import('../../platform/lifecycle/signals.js'),
        import('../../shared/logger.js'),
      ]);
      const logger = createLogger('counter', cfg.logLevel);
      const service = await startCounter(cfg, { logger });
      onShutdownSignal(logger, () => service.close(), { deadlineMs: service.shutdownDeadlineMs + 1000 });
    });
}

function registerTickets(serve: Command, ctx: CliContext): void {
  const cmd = serve
    .command('tickets')
    .description(
      'the receipt webhook: POST /ticket, 202 once durable, parsed behind it (see docs/tickets.md)',
    );
  addOptions(cmd, TICKETS_SPEC).action(async (flags: Record<string, unknown>) => {
    const cfg = readConfig(TICKETS_SPEC, flags, ctx.env, TICKETS_RULES);
    // Loaded on use, as for orders: --help never pays for fastify, pg or PGlite.
    const [{ startTickets }, { onShutdownSignal }, { createLogger }] = await Promise.all([
      import('../../services/tickets/service.js'),
      import('../../platform/lifecycle/signals.js'),
      import('../../shared/logger.js'),
    ]);
    const logger = createLogger('tickets', cfg.logLevel);
    const service = await startTickets(cfg, logger);
    onShutdownSignal(logger, () => service.close(), { deadlineMs: service.shutdownDeadlineMs + 1000 });
  });
}

export function registerServe(program: Command, ctx: CliContext): void {
  const serve = program
    .command('serve')
    .description('run a reference service (orders, sale, counter, tickets)');
  for (const register of SERVICES) register(serve, ctx);
}
