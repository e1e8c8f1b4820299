import { type ConfigOf, int, num, oneOf, str } from '../../config/mod.js';
import { httpGroup, NATS_GROUP, postgresGroup, TELEMETRY_GROUP } from '../../platform/config/groups.js';

/** Settings the worker side needs: the platform's groups, processing and fault injection. */
export const WORKER_SPEC = {
  ...httpGroup({ port: 8081, portHelp: 'HTTP port for /metrics and /healthz (0 picks a free one)' }),
  processRps: int('backend capacity: orders processed per second (0 = unlimited)', 50, { min: 0 }),
  workers: int('worker pool concurrency', 8, { min: 1, max: 10_000 }),
  workMs: int('simulated work per order, in milliseconds', 20, { min: 0, max: 600_000 }),
  maxAttempts: int('processing attempts before an order is dead-lettered', 4, { min: 1, max: 100 }),
  backoffMs: int('backoff before the 2nd attempt, in ms (doubles per attempt, capped at 10x)', 200, {
    min: 0,
    max: 600_000,
  }),
  failRate: num('fault injection: probability that a processing attempt fails', 0, { min: 0, max: 1 }),
  failProduct: int('fault injection: every order for this product id fails (-1 = none)', -1, {
    min: -1,
    max: 100,
  }),
  ...postgresGroup({
    dataDir: '.peaklab/orders-pglite',
    schemaHelp: 'Postgres schema for the orders table (created if missing)',
  }),
  ...NATS_GROUP,
  stream: str('JetStream stream name; the dead-letter stream is <stream>_DLQ', 'ORDERS'),
  ...TELEMETRY_GROUP,
};

/** `peaklab serve orders`: the intake, plus the workers in queue mode. */
export const SERVE_SPEC = {
  ...WORKER_SPEC,
  port: int('HTTP port (0 picks a free one)', 8080, { min: 0, max: 65535 }),
  workers: int('queue mode: worker pool concurrency in this process (0 = intake only; needs NATS_URL)', 8, {
    min: 0,
    max: 10_000,
  }),
  mode: oneOf(
    'direct: process inline; shed: direct behind the RPS limit; queue: JetStream + workers',
    ['direct', 'shed', 'queue'] as const,
    'queue',
  ),
  rpsLimit: int('shed mode: admitted POST /orders per sliding second (0 = no limit)', 50, { min: 0 }),
  shedStatus: oneOf(
    'status of a shed request: 500 server-kaput, or 503 with Retry-After',
    ['500', '503'] as const,
    '500',
  ),
};

export type WorkerConfig = ConfigOf<typeof WORKER_SPEC>;
export type ServeConfig = ConfigOf<typeof SERVE_SPEC>;
