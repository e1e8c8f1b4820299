import { type ConfigOf, type ConfigRule, int, num, oneOf } from '../../config/mod.js';
import {
  httpGroup,
  LIFECYCLE_GROUP,
  NATS_GROUP,
  postgresGroup,
  streamField,
  TELEMETRY_GROUP,
  WORKERS_GROUP,
} from '../../platform/config/groups.js';
import { INFLUX_RULES } from '../../platform/config/influx.js';

/** Settings the worker side needs: the platform's groups, processing and fault injection. */
export const WORKER_SPEC = {
  ...httpGroup({ port: 8081, portHelp: 'HTTP port for /metrics and /healthz (0 picks a free one)' }),
  processRps: int('backend capacity: orders processed per second (0 = unlimited)', 50, { min: 0 }),
  ...WORKERS_GROUP,
  workMs: int('simulated work per order, in milliseconds', 20, { min: 0, max: 600_000 }),
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
  stream: streamField('JetStream stream name; the dead-letter stream is <stream>_DLQ', 'ORDERS'),
  ...LIFECYCLE_GROUP,
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

/** Rules across fields of `serve orders`, checked with the fields (readConfig). */
export const SERVE_RULES: ReadonlyArray<ConfigRule<ServeConfig>> = [
  ...INFLUX_RULES,
  // Nobody else could drain an in-process queue: every order accepted would wait forever.
  (c) =>
    c.mode === 'queue' && c.workers === 0 && c.natsUrl === undefined
      ? '--workers 0 (intake only) needs NATS_URL: a shared queue that separate workers drain'
      : undefined,
];

/** Rules across fields of `worker orders`. */
export const WORKER_RULES: ReadonlyArray<ConfigRule<WorkerConfig>> = [
  ...INFLUX_RULES,
  // An in-process queue has no producer in a worker-only process: it would wait forever.
  (c) => (c.natsUrl === undefined ? '--nats-url (NATS_URL) is required for a separate worker' : undefined),
];
