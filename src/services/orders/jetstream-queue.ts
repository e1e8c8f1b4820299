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
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, headers, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { describeError, PeaklabError } from '../../shared/errors.js';
import { ACK_WAIT_MS, type DeliveryOwner, JsDelivery } from './js-delivery.js';
import type { Order } from './order.js';
import { decodeOrder, encodeOrder } from './order-codec.js';
import type { Delivery, OrderQueue, OrderSource, UndecodableHandler } from './ports.js';
import { PublishBatcher } from './publish-batcher.js';

const CONSUMER = 'orders-workers';
const DEPTH_SAMPLE_MS = 1000;
const DEDUPE_WINDOW_MS = 120_000;
/** How long one fetch waits for messages on an idle stream before the next one. */
const FETCH_EXPIRES_MS = 5000;
/** On stop, how long a fetch already asked for may still deliver (answers take one round trip). */
const FETCH_GRACE_MS = 250;

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
  /** Arms the end of the current fetch, once stopping. */
  #cutOff: (() => void) | undefined;
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

  /**
   * Creates the stream, or checks an existing one (another process may have made it, or an
   * operator with other settings): the guarantees we log must be the ones it really has.
   */
  async #ensureStream(want: Partial<StreamConfig> & { name: string; subjects: string[] }): Promise<void> {
    try {
      await this.jsm.streams.add(want);
      return;
    } catch (err) {
      // Same name, other settings: JetStream refuses the add. Anything else: the info fails too.
      const info = await this.jsm.streams.info(want.name).catch(() => {
        throw err;
      });
      const problems = streamMismatches(want, info.config);
      if (problems.length > 0) {
        throw new PeaklabError(
          'PL_CONFIG_INVALID',
          `JetStream stream ${want.name} already exists with ${problems.join(', ')}; ` +
            'delete it (nats stream rm) or pick another --stream',
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

  async publishDead(msg: JsMsg, reason: string, orderId?: string): Promise<void> {
    const h = headers();
    h.set('Peaklab-Reason', reason.slice(0, 200));
    h.set('Peaklab-Attempts', String(msg.info.deliveryCount));
    // Deduped by the order id (or, for a message that is not an order, its stream sequence):
    // a retried dead-lettering stores one copy.
    await this.js.publish(this.#dlqSubject, msg.data, { msgID: orderId ?? `seq-${msg.seq}`, headers: h });
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
  async *deliveries(prefetch: number, undecodable: UndecodableHandler): AsyncIterable<Delivery> {
    const consumer: Consumer = await this.js.consumers.get(this.stream, CONSUMER);
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

  /** A delivery for a worker, or undefined when the message is not an order (then dead-lettered here). */
  async #deliver(msg: JsMsg, undecodable: UndecodableHandler): Promise<Delivery | undefined> {
    let order: Order;
    try {
      order = decodeOrder(msg.json());
    } catch (err) {
      const reason = describeError(err);
      await this.publishDead(msg, reason).then(
        () => {
          msg.ack();
          undecodable(reason);
        },
        () => msg.nak(ACK_WAIT_MS),
      );
      return undefined;
    }
    this.#outstanding++;
    return new JsDelivery(order, msg, this);
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
    if (err instanceof PeaklabError) throw err;
    throw new PeaklabError(
      'PL_BACKEND_UNAVAILABLE',
      `JetStream stream ${opts.stream}: ${describeError(err)}`,
      {
        cause: err,
      },
    );
  }
}

/** What an existing stream lacks of the settings our guarantees rest on; empty if nothing. */
export function streamMismatches(want: Partial<StreamConfig>, have: StreamConfig): string[] {
  const problems: string[] = [];
  if (want.retention !== undefined && have.retention !== want.retention) {
    problems.push(`retention=${have.retention} (need ${want.retention})`);
  }
  if (want.storage !== undefined && have.storage !== want.storage) {
    problems.push(`storage=${have.storage} (need ${want.storage})`);
  }
  // A longer window dedupes more, so only a shorter one weakens the guarantee.
  if (want.duplicate_window !== undefined && (have.duplicate_window ?? 0) < want.duplicate_window) {
    problems.push(
      `duplicate_window=${(have.duplicate_window ?? 0) / 1e9}s (need at least ${want.duplicate_window / 1e9}s)`,
    );
  }
  for (const subject of want.subjects ?? []) {
    if (!(have.subjects ?? []).some((filter) => subjectMatches(filter, subject))) {
      problems.push(`subjects that do not cover ${subject}`);
    }
  }
  return problems;
}

/** NATS subject matching: `*` is one token, a trailing `>` one or more. */
function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}
