import type { Registry } from 'prom-client';
import type { HistogramPort } from './ports.js';

/** One label set's counts: per bucket (not cumulative), plus the sum and count. */
class Series implements HistogramPort {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  /** Throws, as prom-client does, on a value that is not a finite number. */
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const { bounds } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram for the per-request hot path, registered in a prom-client registry as a
 * metric object (name, help, type, get(): prom-client renders it in Prometheus text, OpenMetrics
 * and JSON, the same lines its own Histogram gives: `_bucket{le}` cumulative, `+Inf`, `_sum`,
 * `_count`). Why not prom-client's Histogram: its observe() on a labelled child re-validates and
 * re-hashes the labels and allocates a closure per call (~1.8 µs with three labels, measured),
 * where a series here is resolved once and an observation costs a bucket search and two additions.
 * No exemplars: use prom-client's Histogram where they are wanted.
 */
export class TallyHistogram<L extends string = string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly #bounds: readonly number[];
  readonly #labelNames: readonly L[];
  readonly #series = new Map<string, Series>();
  #unlabelled: HistogramPort | undefined;

  constructor(opts: {
    name: string;
    help: string;
    buckets: readonly number[];
    labelNames?: readonly L[];
    registers: readonly Registry[];
  }) {
    this.name = opts.name;
    this.help = opts.help;
    this.#bounds = [...opts.buckets].sort((a, b) => a - b);
    this.#labelNames = opts.labelNames ?? [];
    // prom-client's Registry types registerMetric for its own classes; it reads only name, help,
    // type, aggregator, get() and reset() (Registry.getMetricsAsString / getMetricsAsJSON).
    for (const r of opts.registers)
      r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series of one label set, created on first use; keep it and observe into it. */
  series(labels: Readonly<Record<L, string>>): HistogramPort {
    const key = this.#labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.#series.get(key);
    if (s === undefined) {
      const own: Record<string, string> = {};
      for (const n of this.#labelNames) {
        const v = labels[n];
        if (typeof v !== 'string') throw new Error(`label "${n}" is missing`);
        own[n] = v;
      }
      s = new Series(own, this.#bounds);
      this.#series.set(key, s);
    }
    return s;
  }

  /** For an unlabelled histogram: observes into its one series. */
  observe(value: number): void {
    this.#unlabelled ??= this.series({} as Record<L, string>);
    this.#unlabelled.observe(value);
  }

  /** prom-client's metric shape (MetricObjectWithValues), read by the registry at scrape time. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    const bucketName = `${this.name}_bucket`;
    const values: Value[] = [];
    for (const s of this.#series.values()) {
      let acc = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        acc += s.counts[i] as number;
        values.push({
          labels: { le: this.#bounds[i] as number, ...s.labels },
          value: acc,
          metricName: bucketName,
        });
      }
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucketName });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Zeroes every series in place (callers keep the series they hold). */
  reset(): void {
    for (const s of this.#series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
