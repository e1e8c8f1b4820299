/**
 * The backlog probes behind LabPorts.openBacklogProbe: JetStream's own count of a consumer's unfinished
 * messages, and, for the in-process queue, the service's orders_queue_depth (which it computes from the
 * queue itself at every scrape).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parsePromText } from '../scrape/mod.js';
import { describeError, PeaklabError } from '../shared/errors.js';
import { unlessAborted } from './backlog-watch.js';
import type { BacklogProbe } from './ports.js';
import { type FetchText, fetchTextWithUndici } from './scraper.js';
import { backlogDepth, serviceMetrics } from './service-metrics.js';

export const JETSTREAM_BACKLOG_SOURCE = 'JetStream consumer num_pending + num_ack_pending';
export const METRICS_BACKLOG_SOURCE = 'orders_queue_depth, counted by the in-process queue at each read';

/** How long one JetStream API request may take: a reading that is later than this is no reading. */
const JS_API_TIMEOUT_MS = 1000;

/**
 * Reads the backlog of `stream` from JetStream: for each consumer, num_pending (not yet delivered) plus
 * num_ack_pending (delivered, not yet acknowledged: in a worker's hands, or waiting for redelivery).
 * A work-queue stream allows one consumer per subject; a stream with none yet counts its messages.
 * Opens its own connection; rejects with PL_BACKEND_UNAVAILABLE when NATS cannot be reached.
 */
export async function openJetStreamBacklog(natsUrl: string, stream: string): Promise<BacklogProbe> {
  let nc: Awaited<ReturnType<typeof connect>>;
  try {
    nc = await connect({ servers: natsUrl, name: 'peaklab-lab', timeout: 5000, noAsyncTraces: true });
  } catch (err) {
    throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `NATS at ${natsUrl}: ${describeError(err)}`, {
      cause: err,
    });
  }
  const conn = nc;
  try {
    const jsm = await jetstreamManager(conn, { timeout: JS_API_TIMEOUT_MS });
    const readOnce = async (): Promise<number> => {
      let total = 0;
      let consumers = 0;
      for await (const info of jsm.consumers.list(stream)) {
        total += info.num_pending + info.num_ack_pending;
        consumers++;
      }
      return consumers > 0 ? total : (await jsm.streams.info(stream)).state.messages;
    };
    return {
      source: JETSTREAM_BACKLOG_SOURCE,
      durable: true,
      read: (signal) => unlessAborted(readOnce(), signal),
      // A stalled server must not hold the lab at the end: the connection is dropped either way.
      close: () => unlessAborted(conn.close(), AbortSignal.timeout(JS_API_TIMEOUT_MS * 2)).catch(() => {}),
    };
  } catch (err) {
    await conn.close().catch(() => {});
    throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `JetStream at ${natsUrl}: ${describeError(err)}`, {
      cause: err,
    });
  }
}

/**
 * Reads the in-process queue's backlog from the service's /metrics: its orders_queue_depth is counted
 * from the queue when scraped, so each read is current. Nothing of it outlives the service.
 */
export function metricsBacklogProbe(
  metricsUrl: string,
  fetchText: FetchText = fetchTextWithUndici,
): BacklogProbe {
  return {
    source: METRICS_BACKLOG_SOURCE,
    durable: false,
    async read(signal) {
      const text = await fetchText(metricsUrl, signal ?? AbortSignal.timeout(JS_API_TIMEOUT_MS));
      return backlogDepth(serviceMetrics(parsePromText(text)));
    },
    async close() {},
  };
}
