import type { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import {
  type CallObserver,
  type GrpcCloseReport,
  loadService,
  shippedProto,
  startGrpcServer,
} from '../../platform/grpc/mod.js';
import { type CounterServerConfig, counterConfig } from './config.js';
import { COUNTER_SERVICE, counterHandlers } from './grpc-handler.js';
import { MemoryStore } from './memory-store.js';
import { batchSizeObserver, registerCounterMetrics } from './metrics.js';
import { type MetricsEndpoint, serveMetrics } from './metrics-http.js';
import type { CounterStore, Mode, StopReport } from './ports.js';
import { closeRedis, connectRedis } from './redis-client.js';
import { RedisStore } from './redis-store.js';
import { createIncrementer } from './strategy.js';

export interface CounterDeps {
  /** Where start-up and shutdown events go (JSON lines); default: silent. */
  logger?: Logger;
  /**
   * An ioredis client (created with stringNumbers: true) for store `redis`; the caller keeps
   * ownership. Without it, the service connects to `redisUrl` itself and closes that client.
   */
  redis?: Redis;
  /** Per-call hook (the platform's tracing will plug in here): see CallObserver. */
  observer?: CallObserver;
  /** Where the metrics go (the platform's registry, with process metrics); default: a new one. */
  registry?: Registry;
}

/** What close() did; `clean` is false if any call or increment was cut off (exit non-zero). */
export interface CounterCloseReport {
  grpc: GrpcCloseReport;
  increments: StopReport;
  clean: boolean;
}

export interface RunningCounter {
  /** gRPC "host:port". */
  readonly address: string;
  /** "http://host:port" serving GET /metrics. */
  readonly metricsUrl: string;
  readonly config: CounterServerConfig;
  /** Store and mode, as logged at start-up. */
  readonly description: string;
  /**
   * Graceful stop within config.shutdownDeadlineMs: no new calls, calls in flight and queued
   * increments drain; past the deadline the rest are cut off and counted. Logs the counts; never
   * rejects; calling it again returns the same promise.
   */
  close(): Promise<CounterCloseReport>;
}

/** What each mode guarantees, for the start-up log line. */
const GUARANTEE: Readonly<Record<Mode, string>> = {
  mutex: 'exact: an async mutex serialises each read-modify-write',
  inputq: 'exact: one owner loop applies queued increments in batches',
  atomic: "exact: the store's atomic add",
  unsafe: 'NOT exact: read-modify-write without protection loses updates (on purpose)',
};

/**
 * Provisional composition root of the `counter` service (until the platform's lifecycle, config
 * groups and HTTP app land): validates `input` (throws PeaklabError PL_CONFIG_INVALID), opens the
 * store (PL_BACKEND_UNAVAILABLE if Redis does not answer), and serves
 * `counter.incrementCounter/increment` plus grpc.health.v1 on host:port, and GET /metrics on
 * host:metricsPort. Resolves once both listen; whatever was opened is closed if a later step fails.
 */
export async function startCounter(
  input: Partial<CounterServerConfig> & { mode: Mode },
  deps: CounterDeps = {},
): Promise<RunningCounter> {
  const config = counterConfig(input);
  const logger = deps.logger ?? pino({ level: 'silent' });
  const undo: Array<() => Promise<unknown>> = [];
  let ownRedis: Redis | undefined;
  try {
    let store: CounterStore;
    let readTotal: () => Promise<bigint>;
    if (config.store === 'memory') {
      const memory = new MemoryStore({ ioUs: config.ioUs });
      store = memory;
      readTotal = async () => memory.peek();
    } else {
      if (deps.redis === undefined) {
        const own = await connectRedis(config.redisUrl, config.redisTimeoutMs, (err) =>
          logger.warn({ event: 'redis_error', err: err.message }, 'Redis connection error'),
        );
        ownRedis = own;
        undo.push(() => closeRedis(own, 1000));
      }
      const redis = deps.redis ?? ownRedis!;
      store = new RedisStore({ redis, key: config.redisKey, timeoutMs: config.redisTimeoutMs });
      readTotal = () => store.read();
    }
    const registry = deps.registry ?? new Registry();
    const incrementer = createIncrementer(config.mode, store, {
      capacity: config.queueCapacity,
      batchMax: config.batchMax,
      ...(config.mode === 'inputq' ? { onBatch: batchSizeObserver(registry) } : {}),
    });
    undo.push(() => incrementer.stop(0));
    registerCounterMetrics(registry, incrementer, readTotal);
    const grpc = await startGrpcServer({
      host: config.host,
      port: config.port,
      registry,
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
    });
    undo.push(() => grpc.close(0));
    const metrics: MetricsEndpoint = await serveMetrics(registry, config.host, config.metricsPort);
    undo.push(() => metrics.close(0));

    const description = `mode ${config.mode} (${GUARANTEE[config.mode]}), store ${store.description}`;
    logger.info(
      {
        event: 'listening',
        address: grpc.address,
        metrics: metrics.url,
        mode: config.mode,
        store: config.store,
      },
      `counter: gRPC on ${grpc.address}, metrics on ${metrics.url}/metrics; ${description}`,
    );

    let closing: Promise<CounterCloseReport> | undefined;
    const close = (): Promise<CounterCloseReport> => {
      closing ??= (async () => {
        const t0 = Date.now();
        const grpcReport = await grpc.close(config.shutdownDeadlineMs);
        const left = Math.max(0, config.shutdownDeadlineMs - (Date.now() - t0));
        const increments = await incrementer.stop(left);
        await metrics.close(1000);
        if (ownRedis !== undefined) await closeRedis(ownRedis, 1000);
        const clean = grpcReport.drained && increments.dropped === 0;
        const counts = {
          event: 'stopped',
          ...grpcReport,
          drainedIncrements: increments.drained,
          dropped: increments.dropped,
        };
        if (clean) logger.info(counts, 'counter: stopped cleanly');
        else
          logger.error(
            counts,
            `counter: stop cut off ${grpcReport.abandoned} calls and dropped ${increments.dropped} increments`,
          );
        return { grpc: grpcReport, increments, clean };
      })();
      return closing;
    };
    return { address: grpc.address, metricsUrl: metrics.url, config, description, close };
  } catch (err) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw err;
  }
}
