import { request } from 'undici';
import { type PromSample, parsePromText } from './prom-text.js';
import { serviceMetrics } from './service-metrics.js';
import type { ScrapeSample } from './types.js';

/** Fetches a /metrics page as text; the port the scraper reads through (tests may pass their own). */
export type FetchText = (url: string, signal: AbortSignal) => Promise<string>;

export const fetchTextWithUndici: FetchText = async (url, signal) => {
  const res = await request(url, { signal });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: status ${res.statusCode}`);
  return text;
};

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
  let stopped = false;
  let busy = false;
  let timer: NodeJS.Timeout | undefined;

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

  function schedule(): void {
    if (stopped) return;
    const elapsed = now() - opts.startedAt;
    const next = (Math.floor(elapsed / interval) + 1) * interval;
    timer = setTimeout(tick, Math.max(0, next - elapsed));
  }

  function tick(): void {
    // A scrape still running when the next is due: skip this one rather than pile them up.
    if (!busy) {
      busy = true;
      void scrape().finally(() => {
        busy = false;
      });
    }
    schedule();
  }

  tick();
  return {
    samples,
    lastRaw: () => raw,
    scrapeNow: scrape,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
