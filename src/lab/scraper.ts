import {
  type FetchText,
  fetchMetricsText,
  type PromSample,
  parsePromText,
  startAlignedLoop,
} from '../scrape/mod.js';
import { serviceMetrics } from './service-metrics.js';
import type { ScrapeSample } from './types.js';

export type { FetchText };

export const fetchTextWithUndici: FetchText = (url, signal) => fetchMetricsText(url, { signal });

export interface ScraperOptions {
  /** The full /metrics URL. */
  url: string;
  /** Epoch ms of second 0: samples are taken on whole seconds after it. */
  startedAt: number;
  intervalMs?: number;
  fetchText?: FetchText;
  now?: () => number;
}

export interface Scraper {
  /** Every sample so far, in order; a failed scrape is kept as `metrics: null`, a gap. */
  readonly samples: ScrapeSample[];
  /** The parsed lines of the last successful scrape (for the final histograms). */
  lastRaw(): readonly PromSample[];
  /** Scrapes once more, now, and records it: the closing sample after the run. */
  scrapeNow(): Promise<ScrapeSample>;
  stop(): void;
}

/**
 * Scrapes the service's /metrics once per interval, aligned to whole seconds after `startedAt`, the
 * way Prometheus would. A scrape that fails or takes too long records a gap, never an exception:
 * the experiment must not die because one scrape did.
 */
export function startScraper(opts: ScraperOptions): Scraper {
  const interval = opts.intervalMs ?? 1000;
  const fetchText = opts.fetchText ?? fetchTextWithUndici;
  const now = opts.now ?? Date.now;
  const samples: ScrapeSample[] = [];
  let raw: PromSample[] = [];

  async function scrape(): Promise<ScrapeSample> {
    const atMs = now() - opts.startedAt;
    let sample: ScrapeSample;
    try {
      const text = await fetchText(opts.url, AbortSignal.timeout(Math.max(200, interval - 50)));
      raw = parsePromText(text);
      sample = { atMs, metrics: serviceMetrics(raw) };
    } catch {
      sample = { atMs, metrics: null };
    }
    samples.push(sample);
    return sample;
  }

  const loop = startAlignedLoop({
    intervalMs: interval,
    startedAt: opts.startedAt,
    now,
    tick: async () => {
      await scrape();
    },
  });
  return {
    samples,
    lastRaw: () => raw,
    scrapeNow: scrape,
    stop: () => loop.stop(),
  };
}
