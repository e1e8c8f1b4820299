import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { describeError } from '../../shared/errors.js';
import type { InfluxTarget } from '../config/influx.js';
import type { Stoppable } from '../lifecycle/lifecycle.js';
import { toLineProtocol } from './line-protocol.js';

/** Bound on one push (connect, send, answer), unless set (ms). */
export const PUSH_TIMEOUT_MS = 5000;
/**
 * Bound on the whole stop (ms): the push in flight plus the final one. Well inside the lifecycle's
 * close budget, so an unreachable InfluxDB can neither hold nor spoil a clean shutdown.
 */
export const FINAL_PUSH_MS = 2000;
/** How much of a refusal's body is kept for the log line (InfluxDB puts the reason there). */
const REASON_CHARS = 300;

export interface InfluxPusherOptions {
  readonly registry: Registry;
  readonly target: InfluxTarget;
  readonly logger: Logger;
  /** Tags on every point where the sample has no label of that name, e.g. `{ service: 'orders' }`. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Bound on one push (ms); default PUSH_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

/** What the pusher has done so far. */
export interface PushStats {
  /** Pushes InfluxDB accepted (2xx). */
  readonly ok: number;
  /** Pushes that failed: refused, unreachable, timed out, or the registry failed to collect. */
  readonly failed: number;
  /** Ticks skipped because the previous push was still running. */
  readonly skipped: number;
  /** Points in the last accepted push. */
  readonly lastPoints: number;
}

/**
 * Pushes a metrics registry to InfluxDB every `target.intervalMs`: one POST of line protocol
 * (see line-protocol.ts), all points stamped with the moment the registry was read. Like
 * OpenTelemetry's exporters, it never throws into the service: a failing endpoint is logged once
 * (`{"event":"influx_push_failed"}`), its recovery once (`influx_push_recovered`), and the metrics
 * of a failed push are not retried (the next push carries the cumulative values anyway).
 * Every push is bounded by `timeoutMs`; pushes never overlap.
 */
export class InfluxPusher implements Stoppable {
  readonly name = 'influx push';
  readonly #opts: InfluxPusherOptions;
  readonly #timeoutMs: number;
  readonly #agent: Agent;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<boolean> | undefined;
  #failing = false;
  #failedInRow = 0;
  #stopped = false;
  #started = false;
  #stats = { ok: 0, failed: 0, skipped: 0, lastPoints: 0 };

  constructor(opts: InfluxPusherOptions) {
    this.#opts = opts;
    // Not tied to the interval: a tick that finds the previous push still running is skipped.
    this.#timeoutMs = opts.timeoutMs ?? PUSH_TIMEOUT_MS;
    this.#agent = new Agent({
      connect: { timeout: this.#timeoutMs },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      // Reuse the connection between pushes, but hold no idle socket for more than a minute.
      keepAliveTimeout: Math.min(Math.max(opts.target.intervalMs * 2, 4000), 60_000),
      connections: 1,
    });
  }

  get stats(): PushStats {
    return { ...this.#stats };
  }

  /** Starts the periodic push (the first one after one interval). */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    const { logger, target } = this.#opts;
    logger.info(
      { event: 'influx_push', url: target.writeUrl, interval_ms: target.intervalMs },
      `pushing metrics to InfluxDB every ${target.intervalMs} ms`,
    );
    this.#timer = setInterval(() => {
      if (this.#inFlight) this.#stats.skipped++;
      else void this.pushNow();
    }, target.intervalMs);
    this.#timer.unref();
  }

  /** One push now (or the one already running); resolves true when InfluxDB accepted it. Never rejects. */
  pushNow(): Promise<boolean> {
    this.#inFlight ??= this.#push(AbortSignal.timeout(this.#timeoutMs)).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /**
   * Lifecycle close: stops the timer, waits for a push in flight, then makes one final push so
   * the counts of the last interval (and of the drain) reach InfluxDB. Both together are bounded
   * by FINAL_PUSH_MS (or the push timeout, if smaller); never rejects.
   */
  async close(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    const deadline = AbortSignal.timeout(Math.min(FINAL_PUSH_MS, this.#timeoutMs));
    if (this.#inFlight) {
      const expired = new Promise<void>((resolve) => deadline.addEventListener('abort', () => resolve()));
      await Promise.race([this.#inFlight, expired]);
    }
    // A service that never finished starting (start() not called) has nothing worth a final push.
    if (this.#started && !deadline.aborted) await this.#push(deadline);
    // Connections left open by a stalled endpoint are cut, not waited for.
    await this.#agent.destroy().catch(() => {});
  }

  async #push(signal: AbortSignal): Promise<boolean> {
    const { registry, target, tags } = this.#opts;
    try {
      const stamp = Date.now();
      const batch = toLineProtocol(await registry.getMetricsAsJSON(), stamp, tags);
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (target.authorization !== undefined) headers.authorization = target.authorization;
      const res = await request(target.writeUrl, {
        method: 'POST',
        body: batch.text,
        headers,
        dispatcher: this.#agent,
        signal,
      });
      if (res.statusCode < 200 || res.statusCode > 299) {
        const text = await res.body.text().catch(() => '');
        throw new Error(`HTTP ${res.statusCode}: ${text.trim().slice(0, REASON_CHARS)}`);
      }
      await res.body.dump().catch(() => {});
      this.#stats.ok++;
      this.#stats.lastPoints = batch.points;
      this.#succeeded();
      return true;
    } catch (err) {
      this.#stats.failed++;
      this.#failed(err);
      return false;
    }
  }

  #succeeded(): void {
    if (!this.#failing) return;
    this.#opts.logger.info(
      { event: 'influx_push_recovered', url: this.#opts.target.writeUrl, failed_pushes: this.#failedInRow },
      `InfluxDB push works again after ${this.#failedInRow} failed pushes`,
    );
    this.#failing = false;
    this.#failedInRow = 0;
  }

  #failed(err: unknown): void {
    this.#failedInRow++;
    if (this.#failing) return;
    this.#failing = true;
    try {
      this.#opts.logger.warn(
        { event: 'influx_push_failed', url: this.#opts.target.writeUrl, err: describeError(err) },
        `InfluxDB push failed (logged once until it recovers): ${describeError(err)}`,
      );
    } catch {
      // Telemetry never throws into the service.
    }
  }
}
