import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envWithout } from '../../config/mod.js';
import { runLoad } from '../../load/mod.js';
import type { LoadResult, SecondStats } from '../../load/types.js';
import { auditSale, SALE_SPEC } from '../../services/sale/mod.js';
import { type ChildService, spawnPeaklab } from '../../shared/child-service.js';
import { describeError, PeaklabError } from '../../shared/errors.js';
import type { Progress } from '../progress.js';
import { answersOf, auditOf, checkoutAnswers, identitiesOf, soldOutAfter } from './analysis.js';
import type { FlashSaleSettings } from './config.js';
import { renderFlashSaleReport } from './report.js';
import { saleIntervalFor } from './sale-interval.js';
import type { FlashSaleResult } from './types.js';

/** The scenario: this folder's sale-flow module, compiled next to this file. */
export const SALE_FLOW = fileURLToPath(new URL('./sale-flow.js', import.meta.url));
/** A reservation whose purchase never came frees its item this soon (the lab's --checkout-ttl). */
const CHECKOUT_TTL_S = 10;
const REQUEST_TIMEOUT_MS = 10_000;
const FLOW_TIMEOUT_MS = 30_000;
/** Time the sale must still have beyond the load: start-up, the drain of the last flows, a margin. */
const SALE_MARGIN_MS = 120_000;

export interface FlashSaleFiles {
  report: string;
  results: string;
  errors: string;
}

export interface FlashSaleOptions {
  /** The caller's environment: the child sees it minus the sale's own config variables. */
  env: Readonly<Record<string, string | undefined>>;
  progress: Progress;
  signal?: AbortSignal;
}

function serviceArgs(
  s: FlashSaleSettings,
  intervalS: number,
  where: { schema: string; prefix: string; dataDir: string },
) {
  const args = ['serve', 'sale', '--port', '0', '--listen-host', '127.0.0.1'];
  args.push('--items', String(s.items), '--user-limit', String(s.userLimit));
  args.push('--sale-interval', `${intervalS}s`, '--checkout-ttl', `${CHECKOUT_TTL_S}s`);
  if (s.databaseUrl) args.push('--db-schema', where.schema);
  else args.push('--data-dir', where.dataDir);
  if (s.redisUrl) args.push('--redis-prefix', where.prefix);
  return args;
}

/** GET /sale once: the current sale's id (bounded: 5 s). */
async function currentSaleId(url: string): Promise<number> {
  const res = await fetch(`${url}/sale`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { id?: unknown };
  if (res.status !== 200 || typeof body.id !== 'number')
    throw new PeaklabError('PL_LAB_FAILED', `GET /sale answered ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

function tail(svc: ChildService): string {
  return svc.output.slice(-10).join('\n');
}

/**
 * `peaklab lab flash-sale`: starts `serve sale` (Postgres and Redis when DATABASE_URL / REDIS_URL
 * are set, else PGlite and the in-process store), runs one whole sale with the sale-flow scenario
 * at a constant arrival rate of shoppers, stops the service, audits the sale from the database
 * and writes report.html, results.json and errors.jsonl. Errors: PL_LAB_FAILED (the service died,
 * the load failed, the run was interrupted), PL_CHILD_FAILED (the service did not start).
 */
export async function runFlashSale(
  settings: FlashSaleSettings,
  { env, progress, signal }: FlashSaleOptions,
): Promise<{ result: FlashSaleResult; files: FlashSaleFiles }> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const runId = `${startedAt.replace(/\D/g, '').slice(0, 14)}_${randomBytes(3).toString('hex')}`;
  const intervalS = saleIntervalFor(started, settings.durationMs + FLOW_TIMEOUT_MS + SALE_MARGIN_MS);
  if (intervalS === undefined)
    throw new PeaklabError(
      'PL_LAB_FAILED',
      `no sale interval up to 24 h leaves ${settings.durationMs} ms of sale`,
    );
  const backends = {
    database: settings.databaseUrl ? 'postgres' : 'pglite',
    hotPath: settings.redisUrl ? 'redis' : 'in-process',
  } as const;
  const files = {
    report: join(settings.outDir, 'report.html'),
    results: join(settings.outDir, 'results.json'),
    errors: join(settings.outDir, 'errors.jsonl'),
  };
  await mkdir(settings.outDir, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), 'peaklab-flash-'));
  const where = {
    schema: `lab_flash_${runId}`,
    prefix: `peaklab:lab:${runId}`,
    dataDir: join(scratch, 'pglite'),
  };
  const args = serviceArgs(settings, intervalS, where);
  progress.note(
    `flash-sale: ${backends.database} + ${backends.hotPath}; ${settings.items} items, ` +
      `${settings.rate} shoppers/s for ${settings.durationMs / 1000} s; writing to ${settings.outDir}`,
  );
  const mix: Record<string, string> = {
    run: runId,
    seed: String(settings.seed),
    items: String(settings.items),
    users: String(Math.ceil(settings.items / 2)),
    heavyUsers: '10',
    heavyPct: '15',
    hotPct: '30',
    hotItems: String(Math.max(10, Math.ceil(settings.items / 100))),
    retries: '2',
  };
  try {
    const svc = await spawnPeaklab(args, {
      env: {
        ...envWithout(env, SALE_SPEC),
        DATABASE_URL: settings.databaseUrl,
        REDIS_URL: settings.redisUrl,
      },
      timeoutMs: 60_000,
    });
    let load: LoadResult;
    let saleId: number;
    let stopping = false;
    let exitCode: number | null = null;
    const died = new AbortController();
    void svc.exited.then(() => {
      if (!stopping) died.abort();
    });
    try {
      if (!svc.url) throw new PeaklabError('PL_CHILD_FAILED', 'serve sale: no url in its listening event');
      saleId = await currentSaleId(svc.url);
      const seen: Record<string, number> = {};
      const totalS = settings.durationMs / 1000;
      load = await runLoad(
        {
          target: svc.url,
          scenario: SALE_FLOW,
          vars: mix,
          seed: settings.seed,
          rate: `constant:${settings.rate}`,
          durationMs: settings.durationMs,
          timeoutMs: REQUEST_TIMEOUT_MS,
          flowTimeoutMs: FLOW_TIMEOUT_MS,
          errorsLog: files.errors,
        },
        {
          signal: signal ? AbortSignal.any([signal, died.signal]) : died.signal,
          onSecond: (s: SecondStats) => {
            for (const [k, v] of Object.entries(s.status)) seen[k] = (seen[k] ?? 0) + v;
            progress.update({ phase: 'sale', elapsedS: s.second + 1, totalS, rate: s.started, status: seen });
          },
        },
      );
      if (died.signal.aborted)
        throw new PeaklabError('PL_LAB_FAILED', `serve sale exited during the load:\n${tail(svc)}`);
      if (load.interrupted) throw new PeaklabError('PL_LAB_FAILED', 'interrupted');
    } finally {
      stopping = true;
      progress.done();
      exitCode = await svc.stop();
      if (exitCode !== 0 && !died.signal.aborted && !signal?.aborted)
        progress.note(`serve sale exited with code ${exitCode} after SIGTERM:\n${tail(svc)}`);
    }
    const { answered, unanswered } = checkoutAnswers(load);
    let sale: Awaited<ReturnType<typeof auditSale>>;
    try {
      sale = await auditSale(
        settings.databaseUrl
          ? { databaseUrl: settings.databaseUrl, schema: where.schema }
          : { dataDir: where.dataDir },
        { saleId, answeredCheckouts: answered },
      );
    } catch (err) {
      throw new PeaklabError('PL_LAB_FAILED', `cannot audit the sale: ${describeError(err)}`, { cause: err });
    }
    if (!sale) throw new PeaklabError('PL_LAB_FAILED', `the ledger holds no sale ${saleId}`);
    const partial: Omit<FlashSaleResult, 'answers'> = {
      schema: 'peaklab.flash-sale/v1',
      startedAt,
      settings: {
        items: settings.items,
        userLimit: settings.userLimit,
        rate: settings.rate,
        durationMs: settings.durationMs,
        seed: settings.seed,
        quick: settings.quick,
        mix,
        saleIntervalS: intervalS,
        checkoutTtlS: CHECKOUT_TTL_S,
      },
      backends,
      service: {
        args,
        exitCode,
        ...(settings.databaseUrl ? { schema: where.schema } : {}),
        ...(settings.redisUrl ? { redisPrefix: where.prefix } : {}),
      },
      sale: { id: saleId, soldOutAfterS: soldOutAfter(load, settings.items) },
      flows: { summary: load.summary, latency: load.latency, timeline: load.timeline },
      steps: load.steps ?? [],
      outcomes: load.counters ?? {},
      identities: identitiesOf(load, sale),
      checkoutsAnswered: answered,
      checkoutsUnanswered: unanswered,
      audit: auditOf(sale),
      auditCounts: {
        sold: sale.sold,
        buyers: sale.buyers,
        maxPerUser: sale.maxPerUser,
        checkouts: sale.checkouts,
        checkoutsByResult: { ...sale.checkoutsByResult },
      },
      errorsFile: files.errors,
    };
    const result: FlashSaleResult = { ...partial, answers: answersOf(partial) };
    await writeFile(files.results, `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(files.report, renderFlashSaleReport(result));
    return { result, files };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
