import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadOptions, SecondStats } from '../load/types.js';
import { describeError, PeaklabError } from '../shared/errors.js';
import type { LabPorts, ServiceHandle } from './ports.js';
import type { Progress } from './progress.js';
import { type Scraper, startScraper } from './scraper.js';
import { serverLatencyByStatus } from './service-metrics.js';
import { sineDurationMs, sineProfile } from './sine.js';
import type { LabMode, LabSettings, ModeRecording, ScrapeSample } from './types.js';

/** The seed's order, templated per request by the load generator. */
export const ORDER_BODY = '{"product_id": {{int 0 100}}, "count": {{int 1 5}}, "username": "{{username}}"}';

export interface ModeRunContext {
  settings: LabSettings;
  ports: LabPorts;
  progress: Progress;
  /** Fresh per mode: the PGlite data directory (embedded backend). */
  dataDir: string;
  /** Unique per run and mode: Postgres schema and JetStream stream, so runs never share state. */
  schema: string;
  stream: string;
  /** Seconds since the experiment started, for the progress line, and its planned total. */
  elapsedS: () => number;
  totalS: number;
  signal?: AbortSignal;
}

export function serviceArgs(mode: LabMode, ctx: ModeRunContext): string[] {
  const { settings } = ctx;
  const args = ['serve', 'orders', '--port', '0', '--listen-host', '127.0.0.1', '--mode', mode];
  args.push('--rps-limit', String(settings.rpsLimit), '--process-rps', String(settings.processRps));
  if (settings.databaseUrl) args.push('--db-schema', ctx.schema);
  else args.push('--data-dir', ctx.dataDir);
  if (settings.natsUrl) args.push('--stream', ctx.stream);
  return args;
}

function lastDepth(samples: readonly ScrapeSample[], afterMs: number): number | null {
  const last = samples.at(-1);
  if (!last || last.atMs < afterMs || !last.metrics) return null;
  return last.metrics.queueDepth + last.metrics.inflight;
}

/** Starts the orders service for one mode, with its own data directory, schema and stream. */
export async function startModeService(mode: LabMode, ctx: ModeRunContext): Promise<ModeService> {
  const args = serviceArgs(mode, ctx);
  const env = { DATABASE_URL: ctx.settings.databaseUrl, NATS_URL: ctx.settings.natsUrl };
  return { args, handle: await ctx.ports.startService(args, env) };
}

export interface ModeService {
  args: string[];
  handle: ServiceHandle;
}

/** Queue mode's "night": watch the scraped depth until the queue is empty, or the bound is reached. */
async function watchDrain(
  scraper: Scraper,
  ctx: ModeRunContext,
  loadEndMs: number,
  seen: Record<string, number>,
) {
  const deadline = Date.now() + ctx.settings.drainTimeoutMs;
  while (Date.now() < deadline && !ctx.signal?.aborted) {
    const depth = lastDepth(scraper.samples, loadEndMs);
    if (depth === 0) return true;
    ctx.progress.update({
      phase: 'queue: draining',
      elapsedS: ctx.elapsedS(),
      totalS: ctx.totalS,
      rate: 0,
      status: seen,
      queueDepth: depth,
    });
    await sleep(200);
  }
  return false;
}

function loadOptions(url: string, settings: LabSettings): LoadOptions {
  return {
    target: `${url}/orders`,
    method: 'POST',
    headers: [['content-type', 'application/json']],
    body: ORDER_BODY,
    rate: sineProfile(settings),
    durationMs: sineDurationMs(settings),
    timeoutMs: 10_000,
  };
}

/**
 * One mode, on a started service: scrape it every second while the sine load runs, keep watching
 * (queue mode) until the backlog has drained or the bound is reached, stop the service, then read
 * every order row from its database.
 */
export async function runMode(
  mode: LabMode,
  ctx: ModeRunContext,
  { args, handle: service }: ModeService,
): Promise<ModeRecording> {
  const { settings, ports, progress } = ctx;
  const startedAt = Date.now();
  const scraper = startScraper({ url: `${service.url}/metrics`, startedAt });
  try {
    const seen: Record<string, number> = {};
    const onSecond = (s: SecondStats) => {
      for (const [k, v] of Object.entries(s.status)) seen[k] = (seen[k] ?? 0) + v;
      progress.update({
        phase: `${mode}: load`,
        elapsedS: ctx.elapsedS(),
        totalS: ctx.totalS,
        rate: s.started,
        status: seen,
        queueDepth: mode === 'queue' ? (scraper.samples.at(-1)?.metrics?.queueDepth ?? null) : null,
      });
    };
    const load = await ports
      .runLoad(loadOptions(service.url, settings), { signal: ctx.signal, onSecond })
      .catch((err: unknown) => {
        throw new PeaklabError('PL_LAB_FAILED', `${mode} mode: the load failed: ${describeError(err)}`, {
          cause: err,
        });
      });
    const loadEndMs = Date.now() - startedAt;
    // Shed: one more whole second, so the last second's counters are in a scrape.
    const drained =
      mode === 'queue' ? await watchDrain(scraper, ctx, loadEndMs, seen) : await sleep(1100, true);
    scraper.stop();
    await scraper.scrapeNow();
    const watchEndMs = Date.now() - startedAt;
    const code = await service.stop();
    if (code !== 0) progress.note(`${mode}: the service exited with code ${code} (expected 0 after SIGTERM)`);
    const timings = await ports.readTimings({
      databaseUrl: settings.databaseUrl,
      dataDir: ctx.dataDir,
      schema: settings.databaseUrl ? ctx.schema : undefined,
    });
    const { summary, latency, serviceTime, timeline } = load;
    return {
      mode,
      startedAt,
      loadEndMs,
      watchEndMs,
      drained,
      load: { summary, latency, serviceTime, timeline },
      scrapes: scraper.samples,
      timings,
      serverLatency: serverLatencyByStatus(scraper.lastRaw()),
      service: {
        args,
        ...(settings.natsUrl ? { stream: ctx.stream } : {}),
        ...(settings.databaseUrl ? { schema: ctx.schema } : {}),
      },
    };
  } finally {
    scraper.stop();
    // Idempotent: a no-op when it already stopped above.
    await service.stop();
  }
}
