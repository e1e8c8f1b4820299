import { type PostResult, postOrder } from './harness.js';

/**
 * Sends POST /orders at a fixed rate for `seconds` (an open model: each send is scheduled by the
 * clock, never waits for earlier answers), and resolves with every answer (status 0 = no answer).
 */
export async function sendAtRate(url: string, rps: number, seconds: number): Promise<PostResult[]> {
  const total = Math.round(rps * seconds);
  const start = performance.now();
  const pending: Array<Promise<PostResult>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rps;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      postOrder(url).catch(() => ({ status: 0, body: {}, headers: new Headers() }) satisfies PostResult),
    );
  }
  return Promise.all(pending);
}
