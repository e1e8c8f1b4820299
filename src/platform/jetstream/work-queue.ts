import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos, headers as natsHeaders } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { describeError, PeaklabError } from '../../shared/errors.js';
import {
  type Codec,
  DEAD_ATTEMPTS,
  DEAD_REASON,
  type Delivery,
  type PublishOptions,
  type UndecodableHandler,
  type WorkQueue,
  type WorkSource,
} from '../queue/types.js';
import type { ServiceRuntime } from '../runtime.js';
import { type MessagingTarget, producerSpan } from '../telemetry/spans.js';
import { connectNats } from './connect.js';
import {
  ACK_WAIT_MS,
  countHeader,
  type DeliveryOwner,
  FAULTS_HEADER,
  JsDelivery,
  NOT_BEFORE_HEADER,
  ORIGIN_ID_HEADER,
} from './delivery.js';
import { PublishBatcher } from './publish-batcher.js';
import { JetStreamStats } from './stats.js';
import { ensureStream } from './streams.js';

const DEDUPE_WINDOW_MS = 120_000;
/** How long one fetch waits for messages on an idle stream before the next one. */
const FETCH_EXPIRES_MS = 5000;
/** On stop, how long a fetch already asked for may still deliver (answers take one round trip). */
const FETCH_GRACE_MS = 250;

export interface JetStreamQueueOptions<T> {
  readonly url: string;
  /** The work stream; subjects `<stream>.new`, dead letters in `<stream>_DLQ`. */
  readonly stream: string;
  /** The durable pull consumer's name ("orders-workers"). */
  readonly consumer: string;
  readonly codec: Codec<T>;
  /** How long one worker may keep one message from redelivery with working() (ms; default 60 s). */
  readonly maxHoldMs?: number;
  /**
   * false: publish without a PRODUCER span or trace headers (the service runs untraced, so the
   * span would be a no-op that still costs a context, attributes and a headers object per
   * publish). Default true.
   */
  readonly traced?: boolean;
}

interface Outgoing {
  readonly data: Uint8Array;
  readonly opts: PublishOptions | undefined;
}

/**
 * A work queue on JetStream: stream <stream> (work-queue retention, file storage, dedupe by
 * Nats-Msg-Id = the publish id), a durable pull consumer with explicit acks, and the dead-letter
 * stream <stream>_DLQ. Items travel through the codec; publish headers travel as NATS headers.
 */
export class JetStreamWorkQueue<T> implements WorkQueue<T>, WorkSource<T>, DeliveryOwner {
  readonly description =
    'JetStream file storage: a publish resolves once JetStream stored the item; stored items survive a crash of this process ' +
    '(a crash of the NATS host can lose recent ones unless NATS syncs every write: sync_interval always)';
  readonly durable = true;
  /** Messaging semconv's system and destination, for the producer and consumer spans. */
  readonly messaging: MessagingTarget;
  readonly #subject: string;
  readonly #dlqSubject: string;
  #stats: JetStreamStats | undefined;
  /** Arms the end of the current fetch, once stopping. */
  #cutOff: (() => void) | undefined;
  #outstanding = 0;
  #wake: (() => void) | undefined;
  #stopped = false;
  readonly #publisher = new PublishBatcher<Outgoing>(({ data, opts }) =>
    this.js.publish(this.#subject, data, {
      msgID: opts?.id,
      headers: opts?.headers ? toNatsHeaders(opts.headers) : undefined,
    }),
  );

  constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: JetStreamQueueOptions<T>,
    private readonly logger: Logger,
  ) {
    this.#subject = `${opts.stream}.new`;
    this.#dlqSubject = `${opts.stream}_DLQ.dead`;
    this.messaging = { system: 'nats', destination: this.#subject };
  }

  async setup(): Promise<void> {
    const { stream, consumer } = this.opts;
    const common = { storage: StorageType.File, duplicate_window: nanos(DEDUPE_WINDOW_MS) };
    await ensureStream(this.jsm, {
      name: stream,
      subjects: [this.#subject],
      retention: RetentionPolicy.Workqueue,
      ...common,
    });
    await ensureStream(this.jsm, { name: `${stream}_DLQ`, subjects: [this.#dlqSubject], ...common });
    await this.jsm.consumers.add(stream, {
      durable_name: consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ACK_WAIT_MS),
      max_deliver: -1,
    });
  }

  /** Starts polling the streams and the consumer for the metrics and depth() (about once a second). */
  async watch(registry: Registry): Promise<void> {
    const { stream, consumer } = this.opts;
    this.#stats = new JetStreamStats(
      this.jsm,
      { streams: [stream, `${stream}_DLQ`], consumer: { stream, name: consumer } },
      registry,
    );
    await this.#stats.start();
  }

  /**
   * Publishes inside a PRODUCER span whose W3C trace context travels in the message headers
   * (untraced with `traced: false`).
   */
  publish(item: T, opts?: PublishOptions): Promise<void> {
    const data = this.opts.codec.encode(item);
    if (this.opts.traced === false) return this.#publisher.add({ data, opts });
    return producerSpan(this.messaging, opts?.id, (trace) => {
      const headers = opts?.headers === undefined ? trace : { ...opts.headers, ...trace };
      const sent = Object.keys(headers).length === 0 ? opts : { ...opts, headers };
      return this.#publisher.add({ data, opts: sent });
    });
  }

  /** Waiting plus in flight, as last polled: a work-queue stream deletes a message once acknowledged. */
  depth(): number {
    return this.#stats?.streams.get(this.opts.stream)?.messages ?? 0;
  }

  /** Age of the oldest message still in the work stream (waiting or in flight), in seconds; 0 if none. */
  oldestAgeSeconds(): number {
    const first = this.#stats?.streams.get(this.opts.stream)?.firstMs;
    return first === undefined ? 0 : Math.max(0, (Date.now() - first) / 1000);
  }

  /** Messages in the dead-letter stream, as last polled. */
  deadLetters(): number {
    return this.#stats?.streams.get(`${this.opts.stream}_DLQ`)?.messages ?? 0;
  }

  async ping(): Promise<void> {
    await this.nc.rtt();
  }

  /** The message's own headers (not JetStream's Nats-*) with `set` on top, for a copy of it. */
  #copyHeaders(msg: JsMsg, set: Record<string, string>) {
    const h = natsHeaders();
    for (const key of msg.headers?.keys() ?? []) {
      if (!key.startsWith('Nats-') && !(key in set)) h.set(key, msg.headers?.get(key) ?? '');
    }
    for (const [k, v] of Object.entries(set)) h.set(k, v);
    return h;
  }

  async publishRetry(msg: JsMsg, id: string, faults: number, delayMs: number): Promise<void> {
    const h = this.#copyHeaders(msg, {
      [FAULTS_HEADER]: String(faults),
      [NOT_BEFORE_HEADER]: String(Date.now() + delayMs),
      [ORIGIN_ID_HEADER]: id,
    });
    // Deduped per attempt: a worker that dies between this publish and its ack publishes the same id.
    await this.js.publish(this.#subject, msg.data, { msgID: `${id}~${faults}`, headers: h });
  }

  async publishDead(msg: JsMsg, reason: string, id: string, attempts: number): Promise<void> {
    const h = this.#copyHeaders(msg, {
      [DEAD_REASON]: reason.slice(0, 200),
      [DEAD_ATTEMPTS]: String(attempts),
    });
    // Deduped by the first publish's id (or, for a message that does not decode, its stream
    // sequence): a retried dead-lettering stores one copy.
    await this.js.publish(this.#dlqSubject, msg.data, { msgID: id, headers: h });
  }

  released(): void {
    this.#outstanding--;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Pulls with one bounded fetch at a time, never asking for more than the free worker slots, so
   * nothing waits in a client-side buffer. (consume() keeps a buffer and queues its refill pulls
   * behind it: after stop() those pulls would still go out, from an inbox nobody listens to, and
   * the server would hand them messages that then sit unacked until the ack wait.)
   */
  async *deliveries(prefetch: number, undecodable: UndecodableHandler): AsyncIterable<Delivery<T>> {
    const consumer: Consumer = await this.js.consumers.get(this.opts.stream, this.opts.consumer);
    while (!this.#stopped) {
      while (this.#outstanding >= prefetch && !this.#stopped) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
      if (this.#stopped) return;
      const batch = await consumer.fetch({
        max_messages: prefetch - this.#outstanding,
        expires: FETCH_EXPIRES_MS,
      });
      // Cut off mid-answer, a fetch loses those messages until the ack wait: so on stop, give an
      // answer already on its way a moment to land (the loop below releases it), then end the fetch.
      let timer: NodeJS.Timeout | undefined;
      const cutOff = () => {
        timer = setTimeout(() => void batch.close().catch(() => {}), FETCH_GRACE_MS);
      };
      if (this.#stopped) cutOff();
      else this.#cutOff = cutOff;
      try {
        for await (const msg of batch) {
          if (this.#stopped) {
            msg.nak(); // stopping: release it now, not after the ack wait
            continue;
          }
          const delivery = await this.#deliver(msg, undecodable);
          if (delivery !== undefined) yield delivery;
        }
      } finally {
        clearTimeout(timer);
        this.#cutOff = undefined;
      }
    }
  }

  /** A delivery for a worker, or undefined when the message does not decode (then dead-lettered here). */
  async #deliver(msg: JsMsg, undecodable: UndecodableHandler): Promise<Delivery<T> | undefined> {
    // A retry's backoff: back to the stream until its time (no worker slot is held meanwhile).
    const notBefore = countHeader(msg, NOT_BEFORE_HEADER);
    const early = notBefore - Date.now();
    if (early > 5) {
      msg.nak(early);
      return undefined;
    }
    let item: T;
    try {
      item = this.opts.codec.decode(msg.data);
    } catch (err) {
      const reason = describeError(err);
      await this.publishDead(msg, reason, `seq-${msg.seq}`, countHeader(msg, FAULTS_HEADER) + 1).then(
        () => {
          msg.ack();
          undecodable(reason);
        },
        () => msg.nak(ACK_WAIT_MS),
      );
      return undefined;
    }
    this.#outstanding++;
    const id = msg.headers?.get(ORIGIN_ID_HEADER) || msg.headers?.get('Nats-Msg-Id') || `seq-${msg.seq}`;
    return new JsDelivery(item, msg, this, id, this.opts.maxHoldMs ?? 60_000);
  }

  /** Waits for publishes still unacknowledged; resolves with how many the deadline cut off. */
  drainPublishes(signal: AbortSignal): Promise<number> {
    return this.#publisher.drain(signal);
  }

  /** Ends the current fetch within FETCH_GRACE_MS; deliveries() then returns. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    const cutOff = this.#cutOff;
    this.#cutOff = undefined;
    cutOff?.();
  }

  async close(): Promise<void> {
    this.#stats?.stop();
    await this.stop();
    if (!this.nc.isClosed()) {
      await this.nc
        .drain()
        .catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'NATS drain'));
    }
  }
}

function toNatsHeaders(h: Readonly<Record<string, string>>) {
  const out = natsHeaders();
  for (const [k, v] of Object.entries(h)) out.set(k, v);
  return out;
}

/**
 * Connects to NATS, makes or checks the streams and the consumer, and registers a readiness check
 * (a round trip) and a close step (stop consuming, drain the connection) on the runtime.
 * Throws PL_BACKEND_UNAVAILABLE when NATS or JetStream cannot be reached, and PL_CONFIG_INVALID
 * when an existing stream lacks the guarantees.
 */
export async function openJetStreamQueue<T>(
  rt: ServiceRuntime,
  opts: JetStreamQueueOptions<T>,
): Promise<JetStreamWorkQueue<T>> {
  const nc = await connectNats(opts.url, `peaklab-${rt.name}`);
  let queue: JetStreamWorkQueue<T>;
  try {
    queue = new JetStreamWorkQueue(nc, jetstream(nc), await jetstreamManager(nc), opts, rt.logger);
    await queue.setup();
    await queue.watch(rt.registry);
  } catch (err) {
    await nc.close().catch(() => {});
    if (err instanceof PeaklabError) throw err;
    throw new PeaklabError(
      'PL_BACKEND_UNAVAILABLE',
      `JetStream stream ${opts.stream}: ${describeError(err)}`,
      {
        cause: err,
      },
    );
  }
  rt.readiness.add('nats', () => queue.ping());
  rt.lifecycle.add({
    name: 'jetstream',
    unit: 'publishes',
    drain: (signal) => queue.drainPublishes(signal),
    close: () => queue.close(),
  });
  return queue;
}
