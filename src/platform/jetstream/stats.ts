import type { JetStreamManager } from '@nats-io/jetstream';
import { Gauge, type Registry } from 'prom-client';

/** How often the server is asked (ms): alert rules and dashboards read these at 1 s resolution. */
export const POLL_MS = 1000;

/** One stream's state as last polled. */
export interface StreamSample {
  readonly messages: number;
  readonly bytes: number;
  /** Epoch ms of the oldest message still in the stream; undefined when it is empty. */
  readonly firstMs: number | undefined;
}

/** One consumer's state as last polled. */
export interface ConsumerSample {
  /** Messages not yet delivered to any worker (num_pending). */
  readonly pending: number;
  /** Delivered, not yet acknowledged (num_ack_pending). */
  readonly ackPending: number;
  /** Delivered more than once and not yet acknowledged (num_redelivered). */
  readonly redelivered: number;
}

interface Watched {
  readonly streams: readonly string[];
  readonly consumer: { readonly stream: string; readonly name: string };
}

/**
 * Polls JetStream about once a second for the streams and the consumer a queue uses, keeps the
 * last answer, and exports it on `registry` as
 *   jetstream_stream_messages{stream}, jetstream_stream_bytes{stream},
 *   jetstream_consumer_pending_messages{stream,consumer},
 *   jetstream_consumer_ack_pending_messages{stream,consumer},
 *   jetstream_consumer_redelivered_messages{stream,consumer}.
 * Telemetry never throws into the application: a failed poll keeps the last values, and a poll
 * is skipped while the previous one still waits (a stalled server must not pile up requests).
 */
export class JetStreamStats {
  readonly streams = new Map<string, StreamSample>();
  consumer: ConsumerSample | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly watched: Watched,
    registry: Registry,
  ) {
    const stream = (name: string, help: string, pick: (s: StreamSample) => number) => {
      const gauge: Gauge<'stream'> = new Gauge({
        name,
        help,
        labelNames: ['stream'],
        registers: [registry],
        collect: () => {
          for (const [s, sample] of this.streams) gauge.set({ stream: s }, pick(sample));
        },
      });
    };
    const labels = { stream: watched.consumer.stream, consumer: watched.consumer.name };
    const consumer = (name: string, help: string, pick: (c: ConsumerSample) => number) => {
      const gauge: Gauge<'stream' | 'consumer'> = new Gauge({
        name,
        help,
        labelNames: ['stream', 'consumer'],
        registers: [registry],
        collect: () => {
          if (this.consumer !== undefined) gauge.set(labels, pick(this.consumer));
        },
      });
    };
    stream(
      'jetstream_stream_messages',
      'Messages in the JetStream stream, as last polled',
      (s) => s.messages,
    );
    stream('jetstream_stream_bytes', 'Bytes stored by the JetStream stream, as last polled', (s) => s.bytes);
    consumer(
      'jetstream_consumer_pending_messages',
      'Messages the consumer has not yet delivered (num_pending), as last polled',
      (c) => c.pending,
    );
    consumer(
      'jetstream_consumer_ack_pending_messages',
      'Messages delivered and not yet acknowledged (num_ack_pending), as last polled',
      (c) => c.ackPending,
    );
    consumer(
      'jetstream_consumer_redelivered_messages',
      'Messages delivered more than once and not yet acknowledged (num_redelivered), as last polled',
      (c) => c.redelivered,
    );
  }

  /** Polls once now, then every POLL_MS until stop(). */
  async start(): Promise<void> {
    await this.poll();
    this.#timer = setInterval(() => void this.poll(), POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One poll; never rejects. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      await Promise.all([
        ...this.watched.streams.map(async (name) => {
          try {
            const { state } = await this.jsm.streams.info(name);
            const firstMs = state.messages > 0 ? Date.parse(state.first_ts) : undefined;
            this.streams.set(name, {
              messages: state.messages,
              bytes: state.bytes,
              firstMs: Number.isFinite(firstMs) ? firstMs : undefined,
            });
          } catch {
            // Telemetry never throws into the application; the last values stay.
          }
        }),
        (async () => {
          try {
            const { stream, name } = this.watched.consumer;
            const info = await this.jsm.consumers.info(stream, name);
            this.consumer = {
              pending: info.num_pending,
              ackPending: info.num_ack_pending,
              redelivered: info.num_redelivered,
            };
          } catch {
            // As above.
          }
        })(),
      ]);
    } finally {
      this.#polling = false;
    }
  }
}
