/**
 * A small open-model load for the dashboard's browser test: POST /orders at a fixed rate, each request
 * on its own schedule (a slow answer does not delay the next), and per wall-clock second the numbers
 * `pushClient` takes. Not a load generator (that is src/load); just enough to make every panel move.
 *
 * Run as a script (`node order-load.testing.js URL RATE`) it prints one JSON line per second,
 * `{"second":…,"stats":{…}}`, so a test can keep the load's CPU out of its own process.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ClientSecond } from './panels.js';

export interface OrderLoad {
  /** Stops scheduling and waits (bounded) for requests in flight. */
  stop(): Promise<void>;
  readonly sent: () => number;
}

interface Bucket {
  started: number;
  latencies: number[];
  errors: Map<string, number>;
  lagMs: number;
}

const BODY = JSON.stringify({ product_id: '7', count: '1', username: 'dashboard.test' });

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * Sends `rate` POST /orders per second to `baseUrl` until stopped; after each wall-clock second calls
 * `onSecond(epochSecond, stats)` with latencies measured from the intended start.
 */
export function startOrderLoad(
  baseUrl: string,
  rate: number,
  onSecond: (second: number, stats: ClientSecond) => void,
): OrderLoad {
  const buckets = new Map<number, Bucket>();
  const inFlight = new Set<Promise<void>>();
  const t0 = Date.now();
  let sent = 0;
  let stopped = false;
  const bucket = (second: number): Bucket => {
    let b = buckets.get(second);
    if (!b) {
      b = { started: 0, latencies: [], errors: new Map(), lagMs: 0 };
      buckets.set(second, b);
    }
    return b;
  };

  async function one(intended: number): Promise<void> {
    const started = Date.now();
    const b = bucket(Math.floor(intended / 1000));
    b.started++;
    b.lagMs = Math.max(b.lagMs, started - intended);
    let kind: string | undefined;
    try {
      const res = await fetch(`${baseUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      if (res.status >= 400) kind = `status ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      kind = cause?.code?.toLowerCase() ?? (err instanceof Error ? err.name : 'error');
    }
    const done = bucket(Math.floor(Date.now() / 1000));
    if (kind === undefined) done.latencies.push(Date.now() - intended);
    else done.errors.set(kind, (done.errors.get(kind) ?? 0) + 1);
  }

  const sender = setInterval(() => {
    // Catch up on every request whose intended time has come, each stamped with that time.
    const due = Math.floor(((Date.now() - t0) / 1000) * rate);
    while (!stopped && sent < due) {
      const intended = t0 + (sent * 1000) / rate;
      sent++;
      const p = one(intended).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  }, 5);

  const reporter = setInterval(() => {
    const second = Math.floor(Date.now() / 1000) - 1;
    const b = buckets.get(second);
    buckets.delete(second);
    const sorted = (b?.latencies ?? []).sort((x, y) => x - y);
    onSecond(second, {
      targetRate: rate,
      started: b?.started ?? 0,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      errorsByKind: Object.fromEntries(b?.errors ?? []),
      schedulingLag: b ? b.lagMs : null,
    });
  }, 1000);

  return {
    sent: () => sent,
    async stop() {
      stopped = true;
      clearInterval(sender);
      clearInterval(reporter);
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 3000))]);
    },
  };
}

/** The script's path, for a test to spawn it with `node`. */
export const ORDER_LOAD_SCRIPT = fileURLToPath(import.meta.url);

/** Reads the script's stdout lines as seconds; malformed lines are ignored. */
export function readLoadLines(
  stdout: NodeJS.ReadableStream,
  onSecond: (second: number, stats: ClientSecond) => void,
): void {
  createInterface({ input: stdout }).on('line', (line) => {
    try {
      const { second, stats } = JSON.parse(line) as { second: number; stats: ClientSecond };
      onSecond(second, stats);
    } catch {
      // Not one of ours.
    }
  });
}

if (process.argv[1] === ORDER_LOAD_SCRIPT) {
  const [url, rate] = process.argv.slice(2);
  const load = startOrderLoad(url as string, Number(rate), (second, stats) => {
    process.stdout.write(`${JSON.stringify({ second, stats })}\n`);
  });
  process.once('SIGTERM', () => void load.stop().then(() => process.exit(0)));
}
