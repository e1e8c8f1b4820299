import { orderId } from '../domain/order.js';
import { GOOD_ORDER, postOrder } from './harness.js';

export interface LoopResult {
  /** Ids answered 200. */
  readonly ok: string[];
  /**
   * Ids of requests that got no answer or a non-200 (e.g. the process was killed under them).
   * Known because each request carries its own Idempotency-Key, and the id derives from it.
   */
  readonly failed: string[];
}

/**
 * Sends `total` orders with `concurrency` requests outstanding, round-robin over `urls`; stops
 * starting new ones once `stop()` is true. For crash tests: every request ends as ok or failed.
 */
export async function sendConcurrently(
  urls: readonly string[],
  total: number,
  concurrency: number,
  stop: () => boolean = () => false,
  /** Filled live, so a caller can watch progress. */
  ok: string[] = [],
): Promise<LoopResult> {
  const failed: string[] = [];
  const run = Math.random().toString(36).slice(2);
  let next = 0;
  const lane = async () => {
    while (next < total && !stop()) {
      const i = next++;
      const url = urls[i % urls.length] as string;
      const key = `${run}-${i}`;
      const headers = { 'content-type': 'application/json', 'idempotency-key': key };
      try {
        const res = await postOrder(url, GOOD_ORDER, headers);
        if (res.status === 200 && typeof res.body.id === 'string') ok.push(res.body.id);
        else failed.push(orderId(GOOD_ORDER.username, key));
      } catch {
        failed.push(orderId(GOOD_ORDER.username, key));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { ok, failed };
}
