import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, headers, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { describeError, PeaklabError } from '../../shared/errors.js';
import { ACK_WAIT_MS, type DeliveryOwner, JsDelivery } from './js-delivery.js';
import type { Order } from './order.js';
import { decodeOrder, encodeOrder } from './order-codec.js';
import type { Delivery, OrderQueue, OrderSource } from './ports.js';
import { PublishBatcher } from './publish-batcher.js';

const CONSUMER = 'orders-workers';
const DEPTH_SAMPLE_MS = 1000;
const DEDUPE_WINDOW_MS = 120_000;

export interface JetStreamOptions {
  readonly url: string;
  readonly stream: string;
  readonly logger: Logger;
}

/**
 * JetStream: stream <stream> (work-queue retention, file storage, dedupe by Nats-Msg-Id = order
 * id), a durable pull consumer with explicit acks, and the dead-letter stream <stream>_DLQ.
 */
export class JetStreamQueue implements OrderQueue, OrderSource, DeliveryOwner {
  readonly description =
    'JetStream file storage: a 200 means JetStream stored the order; acknowledged orders survive a crash of this process';
  readonly #subject: string;
  readonly #dlqSubject: string;
  #depth = 0;
  #sampler: NodeJS.Timeout | undefined;
  #messages: ConsumerMessages | undefined;
  #outstanding = 0;
  #wake: (() => void) | undefined;
  #stopped = false;
  readonly #publisher = new PublishBatcher<Order>((order) =>
    this.js.publish(this.#subject, encodeOrder(order), { msgID: order.id }),
  );

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly logger: Logger,
  ) {
    this.#subject = `${stream}.new`;
    this.#dlqSubject = `${stream}_DLQ.dead`;
  }

  async setup(): Promise<void> {
    const common = { storage: StorageType.File, duplicate_window: nanos(DEDUPE_WINDOW_MS) };
    await this.#ensureStream({
      name: this.stream,
      subjects: [this.#subject],
      retention: RetentionPolicy.Workqueue,
      ...common,
    });
    await this.#ensureStream({ name: `${this.stream}_DLQ`, subjects: [this.#dlqSubject], ...common });
    await this.jsm.consumers.add(this.stream, {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ACK_WAIT_MS),
      max_deliver: -1,
    });
    await this.#sample();
    this.#sampler = setInterval(() => void this.#sample(), DEPTH_SAMPLE_MS);
    this.#sampler.unref();
  }

  async #ensureStream(cfg: Parameters<JetStreamManager['streams']['add']>[0]): Promise<void> {
    try {
      await this.jsm.streams.add(cfg);
    } catch (err) {
      // Another process created it first (possibly with other limits): use it as it is.
      const info = await this.jsm.streams.info(cfg.name as string).catch(() => {
        throw err;
      });
      if (cfg.retention !== undefined && info.config.retention !== cfg.retention) {
        this.logger.warn(
          { stream: cfg.name, retention: info.config.retention },
          'the existing stream is not a work queue: acknowledged messages stay in it',
        );
      }
    }
  }

  /** Waiting plus in flight: a work-queue stream deletes a message once it is acknowledged. */
  async #sample(): Promise<void> {
    try {
      const info = await this.jsm.streams.info(this.stream);
      this.#depth = info.state.messages;
    } catch {
      // Telemetry never throws into the application; the last value stays.
    }
  }

  publish(order: Order): Promise<void> {
    return this.#publisher.add(order);
  }

  depth(): number {
    return this.#depth;
  }

  async ping(): Promise<void> {
    await this.nc.rtt();
  }

  async publishDead(msg: JsMsg, reason: string): Promise<void> {
    const h = headers();
    h.set('Peaklab-Reason', reason.slice(0, 200));
    h.set('Peaklab-Attempts', String(msg.info.deliveryCount));
    // The same dedupe id: a retried dead-lettering stores one copy.
    await this.js.publish(this.#dlqSubject, msg.data, { msgID: `${msg.seq}`, headers: h });
  }

  released(): void {
    this.#outstanding--;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *deliveries(prefetch: number): AsyncIterable<Delivery> {
    const consumer: Consumer = await this.js.consumers.get(this.stream, CONSUMER);
    if (this.#stopped) return;
    this.#messages = await consumer.consume({ max_messages: prefetch });
    for await (const msg of this.#messages) {
      if (this.#outstanding >= prefetch) {
        // Buffered until a worker slot frees up: keep it ours so it is not redelivered meanwhile.
        const keepAlive = setInterval(() => msg.working(), ACK_WAIT_MS / 2);
        while (this.#outstanding >= prefetch && !this.#stopped) {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
        }
        clearInterval(keepAlive);
      }
      if (this.#stopped) {
        msg.nak();
        continue;
      }
      let order: Order;
      try {
        order = decodeOrder(msg.json());
      } catch (err) {
        this.#outstanding++;
        await this.publishDead(msg, describeError(err)).then(
          () => msg.ack(),
          () => msg.nak(),
        );
        this.released();
        continue;
      }
      this.#outstanding++;
      yield new JsDelivery(order, msg, this);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    await this.#messages?.close().catch(() => {});
  }

  async close(): Promise<void> {
    clearInterval(this.#sampler);
    await this.stop();
    if (!this.nc.isClosed()) {
      await this.nc
        .drain()
        .catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'NATS drain'));
    }
  }
}

export async function openJetStream(opts: JetStreamOptions): Promise<JetStreamQueue> {
  let nc: NatsConnection;
  try {
    // noAsyncTraces: no Error (with its stack) captured per request; it cost ~12% CPU per publish.
    nc = await connect({ servers: opts.url, name: 'peaklab-orders', timeout: 5000, noAsyncTraces: true });
  } catch (err) {
    throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `NATS at ${opts.url}: ${describeError(err)}`, {
      cause: err,
    });
  }
  try {
    const queue = new JetStreamQueue(nc, jetstream(nc), await jetstreamManager(nc), opts.stream, opts.logger);
    await queue.setup();
    return queue;
  } catch (err) {
    await nc.close().catch(() => {});
    throw new PeaklabError(
      'PL_BACKEND_UNAVAILABLE',
      `JetStream stream ${opts.stream}: ${describeError(err)}`,
      {
        cause: err,
      },
    );
  }
}
