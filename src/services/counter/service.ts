import { type Logger, pino } from 'pino';
import { type CallObserver, loadService, serveGrpc, shippedProto } from '../../platform/grpc/mod.js';
import { startHttpServer } from '../../platform/http/app.js';
import { openRedis } from '../../platform/redis/mod.js';
import { logBackends, type RunningService, runService } from '../../platform/service.js';
import { type CounterConfig, counterConfig, DEFAULT_REDIS_URL } from './config.js';
import { COUNTER_SERVICE, counterHandlers } from './grpc-handler.js';
import { MemoryStore } from './memory-store.js';
import { batchSizeObserver, registerCounterMetrics } from './metrics.js';
import type { CounterStore, Mode } from './ports.js';
import { RedisStore } from './redis-store.js';
import { createIncrementer } from './strategy.js';

export interface CounterDeps {
  /** Where start-up and shutdown events go (JSON lines); default: silent. */
  logger?: Logger;
  /** Per-call hook (tracing spans, a test's tally): see CallObserver. */
  observer?: CallObserver;
}

export interface RunningCounter extends RunningService {
  /** gRPC "host:port" (the service's `url` is grpc://host:port). */
  readonly address: string;
  /** "http://host:port" serving GET /metrics, /healthz and /readyz. */
  readonly metricsUrl: string;
  readonly config: CounterConfig;
  /** Mode and store, with what each guarantees, as logged at start-up. */
  readonly description: string;
}

/** What each mode guarantees, for the start-up log line. */
const GUARANTEE: Readonly<Record<Mode, string>> = {
  mutex: 'exact: an async mutex serialises each read-modify-write',
  inputq: 'exact: one owner loop applies queued increments in batches',
  atomic: "exact: the store's atomic add",
  unsafe: 'NOT exact: read-modify-write without protection loses updates (on purpose)',
};

/**
 * The counter's composition root, on the platform's runService: validates `values` as the CLI's
 * flags are (throws PL_CONFIG_INVALID), opens the store (Redis through the platform adapter:
 * PL_BACKEND_UNAVAILABLE if it does not answer), the incrementer of the mode, then
 * `counter.incrementCounter/increment` plus grpc.health.v1 on listenHost:port and the platform's
 * HTTP app (/metrics, /healthz, /readyz) on metricsPort. Shutdown (close() or SIGTERM through
 * the CLI), in reverse: the metrics side port, the gRPC server (no new calls, calls in flight
 * finish within drainTimeout, the rest end UNAVAILABLE and are counted), the incrementer
 * (increments of cut-off calls not yet run are dropped and counted, never applied), Redis.
 */
export async function startCounter(
  values: Partial<CounterConfig>,
  deps: CounterDeps = {},
): Promise<RunningCounter> {
  const config = counterConfig(values);
  const logger = deps.logger ?? pino({ level: 'silent' });
  let address = '';
  let metricsUrl = '';
  let description = '';
  const running = await runService(
    { name: 'counter', logger, drainTimeoutMs: config.drainTimeout, tracing: config, influx: config },
    async (rt) => {
      let store: CounterStore;
      let readTotal: () => Promise<bigint>;
      if (config.store === 'memory') {
        const memory = new MemoryStore({ ioUs: config.ioUs });
        store = memory;
        readTotal = async () => memory.peek();
      } else {
        const redis = await openRedis(rt, {
          url: config.redisUrl ?? DEFAULT_REDIS_URL,
          connectTimeoutMs: config.redisTimeout,
          commandTimeoutMs: config.redisTimeout,
          stringNumbers: true,
        });
        const redisStore = new RedisStore({
          redis: redis.client,
          key: config.redisKey,
          timeoutMs: config.redisTimeout,
        });
        store = redisStore;
        readTotal = () => redisStore.read();
      }
      description = `mode ${config.mode} (${GUARANTEE[config.mode]}), store ${store.description}`;
      logBackends(rt, { mode: `${config.mode}: ${GUARANTEE[config.mode]}`, store: store.description });
      const incrementer = createIncrementer(config.mode, store, {
        capacity: config.queueCapacity,
        batchMax: config.batchMax,
        ...(config.mode === 'inputq' ? { onBatch: batchSizeObserver(rt.registry) } : {}),
      });
      rt.lifecycle.add({
        name: 'counter',
        unit: 'increments',
        // Runs after the gRPC server drained: every call answered means nothing is pending here.
        // Past the deadline, increments of cut-off calls not yet run are dropped, never applied.
        async drain(signal) {
          return (await incrementer.stop(signal.aborted ? 0 : config.drainTimeout)).dropped;
        },
      });
      registerCounterMetrics(rt.registry, incrementer, readTotal);
      const grpc = await serveGrpc(rt, {
        host: config.listenHost,
        port: config.port,
        services: [
          {
            name: COUNTER_SERVICE,
            definition: loadService(shippedProto('counter.proto'), COUNTER_SERVICE),
            implementation: counterHandlers(incrementer),
          },
        ],
        ...(deps.observer ? { observer: deps.observer } : {}),
        // The request is one int32 (at most 6 bytes); anything near this limit is hostile.
        channelOptions: { 'grpc.max_receive_message_length': 4096 },
        announce: { what: 'counter gRPC', fields: { mode: config.mode, store: config.store } },
      });
      address = grpc.address;
      const metrics = await startHttpServer(rt, {
        listen: { port: config.metricsPort, listenHost: config.listenHost },
        announce: { what: 'counter metrics' },
      });
      metricsUrl = metrics.url;
      return { url: `grpc://${grpc.address}` };
    },
  );
  return { ...running, address, metricsUrl, config, description };
}
