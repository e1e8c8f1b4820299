import { openMemoryQueue } from '../../../platform/queue/memory.js';
import type { WorkQueue, WorkSource } from '../../../platform/queue/types.js';
import type { ServiceRuntime } from '../../../platform/runtime.js';
import type { Order } from '../domain/order.js';
import type { OrderQueue } from '../domain/ports.js';
import { ORDER_CODEC } from './order-codec.js';

/** The durable consumer every orders worker shares. */
export const ORDER_CONSUMER = 'orders-workers';

export type OrderWorkQueue = WorkQueue<Order> & WorkSource<Order>;

/**
 * JetStream when `natsUrl` is set (stream `stream`, the order codec, deduped by order id), else the
 * in-process queue. Both register their readiness and stop steps on the runtime.
 */
export async function openOrderQueue(
  rt: ServiceRuntime,
  cfg: { natsUrl: string | undefined; stream: string; holdTimeout: number },
): Promise<OrderWorkQueue> {
  if (cfg.natsUrl === undefined) return openMemoryQueue<Order>(rt, 'orders');
  // Loaded only in queue mode with NATS: the other modes never pay for the client.
  const { openJetStreamQueue } = await import('../../../platform/jetstream/work-queue.js');
  return openJetStreamQueue(rt, {
    url: cfg.natsUrl,
    stream: cfg.stream,
    consumer: ORDER_CONSUMER,
    codec: ORDER_CODEC,
    traced: rt.tracing !== undefined,
  });
}

/** The intake's port onto a work queue: the order id is the dedupe key. */
export function orderPublisher(queue: WorkQueue<Order>): OrderQueue {
  return { publish: (order) => queue.publish(order, { id: order.id }) };
}
