import type { CounterPort, GaugePort } from './ports.js';

/**
 * A counter kept as a plain number on the hot path and handed to prom-client only when the
 * registry is read: the metric's `collect()` calls `flushInto(child)`. A prom-client `inc()` on a
 * labelled child re-validates and re-hashes its labels every time (~0.4–0.8 µs, measured in
 * bench/orders' service); this costs an addition. Scrapes see the same totals, since prom-client
 * runs `collect()` before every read (Prometheus text, OpenMetrics, JSON).
 * Throws, as prom-client does, on a negative or non-finite increment.
 */
export class TallyCounter implements CounterPort {
  #pending = 0;

  inc(by = 1): void {
    if (!(by >= 0) || by === Number.POSITIVE_INFINITY) {
      throw new TypeError(`a counter only goes up by a finite amount, not ${by}`);
    }
    this.#pending += by;
  }

  /** Adds what was counted since the last flush to `target` (a prom-client Counter or child). */
  flushInto(target: { inc(by: number): void }): void {
    if (this.#pending === 0) return;
    const by = this.#pending;
    this.#pending = 0;
    target.inc(by);
  }
}

/**
 * A gauge kept as a plain number and copied into prom-client at collect time: `collect() {
 * tally.copyInto(gauge) }`. Reads between scrapes see the level at the scrape.
 */
export class TallyGauge implements GaugePort {
  #value = 0;

  inc(by = 1): void {
    this.#value += by;
  }

  dec(by = 1): void {
    this.#value -= by;
  }

  set(value: number): void {
    this.#value = value;
  }

  /** The current level. */
  get value(): number {
    return this.#value;
  }

  copyInto(target: { set(value: number): void }): void {
    target.set(this.#value);
  }
}
