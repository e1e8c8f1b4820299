import type { Logger } from 'pino';
import { describeError } from '../../shared/errors.js';

/**
 * One part of a service that must be stopped: a server, a worker pool, a queue, a buffer, a
 * connection. Parts are registered in the order they are opened, so a part registers after
 * everything it uses, and shutdown stops them in reverse: the intake first, the connections last
 * (fastify's `onClose` order).
 */
export interface Stoppable {
  /** Names it in logs: "http", "worker pool", "in-process queue", "postgres". */
  readonly name: string;
  /**
   * Stops taking work and finishes or hands back what it holds. `signal` aborts at the drain
   * deadline; the part must then return promptly. Resolves with how many `unit`s it had to drop
   * (0 when it dropped none); those are logged and make the stop unclean.
   */
  drain?(signal: AbortSignal): Promise<number>;
  /** What `drain` counts, for the `dropped` log line ("orders", "rows", "publishes"). */
  readonly unit?: string;
  /** Releases connections and timers; runs after this part's drain, within the close budget. */
  close?(): Promise<void>;
}

/** What a shutdown did: clean when nothing was dropped and every step finished in time. */
export interface ShutdownReport {
  readonly clean: boolean;
  /** Per part that dropped anything: how many, in its unit. */
  readonly dropped: ReadonlyArray<{ part: string; unit: string; count: number }>;
  /** Parts whose drain or close failed or overran the deadline, with why. */
  readonly failed: ReadonlyArray<{ part: string; step: 'drain' | 'close'; reason: string }>;
}

export interface LifecycleOptions {
  readonly logger: Logger;
  /** How long the parts may take, together, to drain what they hold (ms). Unset: no bound. */
  readonly drainTimeoutMs?: number;
  /** How long closing may take after the drain, all parts together (ms; default CLOSE_BUDGET_MS). */
  readonly closeTimeoutMs?: number;
}

/** The default budget for closing connections after the drain (ms): a stalled backend's close gives up. */
export const CLOSE_BUDGET_MS = 5000;

class StepTimeout extends Error {
  override readonly name = 'StepTimeout';
}

/** Resolves with `p`, or rejects with StepTimeout once `ms` passed (never when ms is Infinity). */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  if (!Number.isFinite(ms)) return p;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StepTimeout(`${what}: not done within the deadline`)),
      Math.max(0, ms),
    );
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

/**
 * The parts of one running service and the order they stop in. Shutdown:
 * 1. each part, last registered first, drains (the HTTP server stops intake and finishes the
 *    requests in flight, a worker pool finishes or hands back its orders, a buffer flushes) within
 *    one shared drain deadline, then closes within what is left of the close budget;
 * 2. whatever a part could not drain is counted and logged as `{"event":"dropped"}`.
 * Shutdown never throws: a failing step is recorded and the next part still stops.
 */
export class Lifecycle {
  readonly #parts: Stoppable[] = [];
  #shutdown: Promise<ShutdownReport> | undefined;

  constructor(private readonly opts: LifecycleOptions) {}

  /** Registers a part; returns it, so `lifecycle.add(openThing())` reads as it runs. */
  add<P extends Stoppable>(part: P): P {
    if (this.#shutdown) throw new Error(`${part.name}: registered after shutdown began`);
    this.#parts.push(part);
    return part;
  }

  /** The whole shutdown's bound (ms): the drain deadline plus the close budget; Infinity if unbounded. */
  get deadlineMs(): number {
    return (
      (this.opts.drainTimeoutMs ?? Number.POSITIVE_INFINITY) + (this.opts.closeTimeoutMs ?? CLOSE_BUDGET_MS)
    );
  }

  /** True once shutdown has begun. */
  get stopping(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Stops every part once; later calls get the same report. */
  shutdown(): Promise<ShutdownReport> {
    this.#shutdown ??= this.#run();
    return this.#shutdown;
  }

  async #run(): Promise<ShutdownReport> {
    const { logger } = this.opts;
    const drainMs = this.opts.drainTimeoutMs ?? Number.POSITIVE_INFINITY;
    const closeMs = this.opts.closeTimeoutMs ?? CLOSE_BUDGET_MS;
    const drainSignal = Number.isFinite(drainMs)
      ? AbortSignal.timeout(drainMs)
      : new AbortController().signal;
    const started = performance.now();
    const dropped: Array<{ part: string; unit: string; count: number }> = [];
    const failed: Array<{ part: string; step: 'drain' | 'close'; reason: string }> = [];
    // Every step is bounded by the whole budget that is left, so one stuck part cannot hold the rest.
    const left = () => drainMs + closeMs - (performance.now() - started);
    for (const part of [...this.#parts].reverse()) {
      if (part.drain) {
        try {
          const n = await bounded(part.drain(drainSignal), left(), `${part.name} drain`);
          if (n > 0) {
            const unit = part.unit ?? 'items';
            dropped.push({ part: part.name, unit, count: n });
            logger.error(
              { event: 'dropped', part: part.name, [unit]: n },
              `${part.name}: dropped ${n} ${unit} it could not drain before the deadline`,
            );
          }
        } catch (err) {
          failed.push({ part: part.name, step: 'drain', reason: describeError(err) });
          logger.error({ event: 'stop-failed', part: part.name, step: 'drain', err: describeError(err) });
        }
      }
      if (part.close) {
        try {
          await bounded(part.close(), left(), `${part.name} close`);
        } catch (err) {
          failed.push({ part: part.name, step: 'close', reason: describeError(err) });
          logger.error({ event: 'stop-failed', part: part.name, step: 'close', err: describeError(err) });
        }
      }
    }
    return { clean: dropped.length === 0 && failed.length === 0, dropped, failed };
  }
}
