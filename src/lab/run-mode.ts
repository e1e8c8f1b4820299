import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadOptions, SecondStats } from '../load/types.js';
import { describeError, PeaklabError } from '../shared/errors.js';
import { type BacklogWatch, MIN_WATCH_AFTER_LOAD_MS, startBacklogWatch } from './backlog-watch.js';
import type { BacklogProbe, LabPorts, ServiceHandle } from './ports.js';
import type { Progress } from './progress.js';
import { startScraper } from './scraper.js';
import { metricNames, serverLatencyByStatus } from './service-metrics.js';
import { sineDurationMs, sineProfile } from './sine.js';
import type { LabMode, LabSettings, ModeRecording } from './types.js';

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

/** Shed mode has no queue, so no backlog to read. */
const NO_QUEUE = 'none: shed mode has no queue';

/** Queue mode's probe, opened before the load so its readings cover the whole mode. */
async function openProbe(ctx: ModeRunContext, service: ServiceHandle): Promise<BacklogProbe> {
  try {
    return await ctx.ports.openBacklogProbe({
      natsUrl: ctx.settings.natsUrl,
      stream: ctx.stream,
      metricsUrl: `${service.url}/metrics`,
    });
  } catch (err) {
    throw new PeaklabError('PL_LAB_FAILED', `queue mode: cannot read the backlog: ${describeError(err)}`, {
      cause: err,
    });
  }
}

/**
 * Queue mode's "night": keep reading the backlog until it reads 0 twice in a row at least 1 s after
 * the load ended, or until --drain-timeout after the load (never shorter than those two readings take).
 */
function watchDrain(
  watch: BacklogWatch,
  ctx: ModeRunContext,
  loadEndMs: number,
  seen: Record<string, number>,
  signal: AbortSignal,
): Promise<boolean> {
  const deadline = loadEndMs + Math.max(ctx.settings.drainTimeoutMs, MIN_WATCH_AFTER_LOAD_MS);
  return watch.untilDrained(loadEndMs, deadline, signal, (r) =>
    ctx.progress.update({
      phase: 'queue: draining',
      elapsedS: ctx.elapsedS(),
      totalS: ctx.totalS,
      rate: 0,
      status: seen,
      queueDepth: r.depth,
    }),
  );
}

/** A durable queue's backlog once the service has stopped: what it left for the next worker. */
async function readAfterStop(probe: BacklogProbe | undefined, mode: LabMode): Promise<number | null> {
  if (!probe?.durable) return null;
  try {
    return await probe.read(AbortSignal.timeout(5_000));
  } catch (err) {
    // Without this count, orders left in the stream would look lost: no result beats a wrong one.
    throw new PeaklabError(
      'PL_LAB_FAILED',
      `${mode} mode: cannot read the queue's backlog after the stop: ${describeError(err)}`,
      { cause: err },
    );
  }
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

/** The service's last log lines, for an error message a user can act on. */
function tail(service: ServiceHandle): string {
  const lines = service.output.slice(-10);
  return lines.length > 0 ? `; its last lines:\n${lines.join('\n')}` : '';
}

/**
 * Watches for the service ending on its own: that aborts the load (the rest of the mode would measure
 * a dead port) and turns into a PL_LAB_FAILED error naming the exit code.
 */
function watchExit(mode: LabMode, service: ServiceHandle, outer: AbortSignal | undefined) {
  const died = new AbortController();
  let stopping = false;
  let code: number | null | undefined;
  void service.exited.then((c) => {
    if (stopping) return;
    code = c;
    died.abort();
  });
  return {
    signal: outer ? AbortSignal.any([outer, died.signal]) : died.signal,
    /** Throws if the service died, or if the user interrupted the run. */
    check(): void {
      if (code !== undefined) {
        throw new PeaklabError(
          'PL_LAB_FAILED',
          `${mode} mode: the service exited with code ${code} during the run${tail(service)}`,
        );
      }
      if (outer?.aborted) throw new PeaklabError('PL_LAB_FAILED', `${mode} mode: interrupted`);
    },
    /** Stops the service; an exit code other than 0 means its shutdown failed, so its rows are suspect. */
    async stop(): Promise<void> {
      stopping = true;
      const exit = await service.stop();
      if (exit !== 0) {
        throw new PeaklabError(
          'PL_LAB_FAILED',
          `${mode} mode: the service exited with code ${exit} after SIGTERM (expected 0)${tail(service)}`,
        );
      }
    },
    release(): void {
      stopping = true;
    },
  };
}

/**
 * One mode, on a started service: scrape it every second and (queue mode) read its backlog every
 * 0.5 s while the sine load runs; keep watching until the backlog has drained or the bound is reached;
 * stop the service; read what a durable queue still holds; then read every order row from its database.
 */
export async function runMode(
  mode: LabMode,
  ctx: ModeRunContext,
  { args, handle: service }: ModeService,
): Promise<ModeRecording> {
  const { settings, ports, progress } = ctx;
  const life = watchExit(mode, service, ctx.signal);
  const probe =
    mode === 'queue'
      ? await openProbe(ctx, service).catch(async (err: unknown) => {
          life.release();
          await service.stop();
          throw err;
        })
      : undefined;
  const startedAt = Date.now();
  const scraper = startScraper({ url: `${service.url}/metrics`, startedAt });
  const watch = probe ? startBacklogWatch(probe, startedAt) : undefined;
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
        queueDepth: watch?.readings.at(-1)?.depth ?? null,
      });
    };
    const load = await ports
      .runLoad(loadOptions(service.url, settings), { signal: life.signal, onSecond })
      .catch((err: unknown) => {
        life.check();
        throw new PeaklabError('PL_LAB_FAILED', `${mode} mode: the load failed: ${describeError(err)}`, {
          cause: err,
        });
      });
    life.check();
    const loadEndMs = Date.now() - startedAt;
    // Shed: one more whole second, so the last second's counters are in a scrape.
    const drained = watch
      ? await watchDrain(watch, ctx, loadEndMs, seen, life.signal)
      : await sleep(1100, true, { signal: life.signal }).catch(() => false);
    life.check();
    scraper.stop();
    await watch?.stop();
    await scraper.scrapeNow();
    const watchEndMs = Date.now() - startedAt;
    await life.stop();
    const afterStop = await readAfterStop(probe, mode);
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
      backlog: {
        source: probe?.source ?? NO_QUEUE,
        readings: watch ? [...watch.readings] : [],
        afterStop,
      },
      load: { summary, latency, serviceTime, timeline },
      scrapes: scraper.samples,
      timings,
      serverLatency: serverLatencyByStatus(scraper.lastRaw()),
      metricNames: metricNames(scraper.lastRaw()),
      service: {
        args,
        ...(settings.natsUrl ? { stream: ctx.stream } : {}),
        ...(settings.databaseUrl ? { schema: ctx.schema } : {}),
      },
    };
  } finally {
    scraper.stop();
    await watch?.stop();
    life.release();
    // Idempotent: a no-op when it already stopped above.
    await service.stop();
    await probe?.close().catch(() => {});
  }
}
