import { postOrder } from './harness.js';

export interface LoopResult {
  /** Ids answered 200. */
  readonly ok: string[];
  /** Requests that got no answer or a non-200 (e.g. the process was killed under them). */
  readonly failed: number;
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
  let failed = 0;
  let next = 0;
  const lane = async () => {
    while (next < total && !stop()) {
      const url = urls[next % urls.length] as string;
      next++;
      try {
        const res = await postOrder(url);
        if (res.status === 200 && typeof res.body.id === 'string') ok.push(res.body.id);
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { ok, failed };
}
