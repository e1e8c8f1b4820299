import { BatchWriter, type ItemResults } from '../../../platform/batch/mod.js';
import { openRedis } from '../../../platform/redis/mod.js';
import type { ServiceRuntime } from '../../../platform/runtime.js';
import type {
  HotCounts,
  HotPurchaseResult,
  HotState,
  ReserveRequest,
  ReserveResult,
  SaleSnapshot,
} from '../domain/ports.js';
import type { SaleTerms } from '../domain/terms.js';
import { SALE_SCRIPTS } from './lua.js';

export interface RedisHotOptions {
  readonly url: string;
  /** Every key starts with `<prefix>:{<sale id>}:`. */
  readonly prefix: string;
  /** Connecting, and each command, may take this long (ms; default the platform's). */
  readonly timeoutMs?: number;
  /** A sale's keys outlive its end by this long (ms), in case no later process drops them (default 1 h). */
  readonly keepMs?: number;
}

type SaleKeys = readonly [string, string, string, string, string];

/** The five keys of one sale, in the order the scripts take them (see lua.ts). */
export function saleKeys(prefix: string, saleId: number): SaleKeys {
  const base = `${prefix}:{${saleId}}:`;
  return [`${base}meta`, `${base}holder`, `${base}expiry`, `${base}codes`, `${base}taken`];
}

type Reply = ReadonlyArray<string | number>;

/** Reservations per script call: each is a few Redis commands, so a call blocks Redis for well under a ms. */
const MAX_RESERVE_BATCH = 128;

interface ReserveJob {
  readonly sale: SaleTerms;
  readonly r: ReserveRequest;
}

function reserveResult(reply: Reply | undefined): ReserveResult {
  const kind = reply?.[0];
  if (kind === 'reserved') return { kind, code: String(reply?.[1]), expiresAt: Number(reply?.[2]) };
  if (kind === 'unavailable' || kind === 'limit' || kind === 'sold_out' || kind === 'missing')
    return { kind };
  throw new Error(`the reserve script answered ${JSON.stringify(reply)}`);
}

/**
 * The hot state in Redis: every change is one of the scripts in lua.ts, run by SHA through the
 * platform's Redis adapter (bounded connect and commands, readiness, close at shutdown). A flush or
 * a restart of Redis empties a sale's keys; the scripts then answer 'missing' and the service
 * rebuilds them from the ledger.
 */
export async function openRedisHotState(rt: ServiceRuntime, opts: RedisHotOptions): Promise<HotState> {
  const redis = await openRedis(rt, {
    url: opts.url,
    scripts: SALE_SCRIPTS,
    connectTimeoutMs: opts.timeoutMs,
    commandTimeoutMs: opts.timeoutMs,
    // Every request runs a script: under load, one write per event-loop turn carries them all.
    autoPipelining: true,
  });
  const keepMs = opts.keepMs ?? 3_600_000;
  // Every request names the running sale's keys: build them once per sale, not five strings per call.
  let cached: { readonly id: number; readonly keys: SaleKeys } | undefined;
  const keysOf = (sale: SaleTerms): SaleKeys => {
    if (cached?.id !== sale.id) cached = { id: sale.id, keys: saleKeys(opts.prefix, sale.id) };
    return cached.keys;
  };
  const run = (name: keyof typeof SALE_SCRIPTS, sale: SaleTerms, args: ReadonlyArray<string | number>) =>
    redis.runScript(name, keysOf(sale), args) as Promise<Reply>;

  // The reservations of one sale that arrive while a script call is out go together in the next
  // call: one round trip, one write and one script run for many checkouts instead of one each.
  const reserveMany = async (jobs: ReserveJob[]): Promise<ItemResults<ReserveResult>> => {
    const args: Array<string | number> = [];
    for (const { r } of jobs) args.push(r.user, r.item, r.now, r.expiresAt, r.code);
    const sale = (jobs[0] as ReserveJob).sale;
    const replies = (await redis.runScript('reserve', keysOf(sale), args)) as ReadonlyArray<Reply>;
    return jobs.map((_, i) => reserveResult(replies[i]));
  };
  const reserves = new BatchWriter<ReserveJob, ReserveResult>(
    async (jobs) => {
      const sale = (jobs[0] as ReserveJob).sale;
      if (jobs.every((j) => j.sale.id === sale.id)) return reserveMany(jobs);
      // Only at a sale boundary: each sale's keys are its own, so one call per sale.
      const bySale = new Map<number, number[]>();
      for (let i = 0; i < jobs.length; i++) {
        const id = (jobs[i] as ReserveJob).sale.id;
        const at = bySale.get(id);
        if (at === undefined) bySale.set(id, [i]);
        else at.push(i);
      }
      const results = new Array<ReserveResult | Error>(jobs.length);
      for (const at of bySale.values()) {
        // A sale whose call fails fails its own reservations only.
        const part = await reserveMany(at.map((i) => jobs[i] as ReserveJob)).catch((err: unknown) =>
          at.map(() => (err instanceof Error ? err : new Error(String(err)))),
        );
        for (let k = 0; k < at.length; k++) results[at[k] as number] = part[k] as ReserveResult | Error;
      }
      return results;
    },
    1,
    MAX_RESERVE_BATCH,
    { spanName: 'sale reserve batch' },
  );

  return {
    description: `${redis.description}; the sale's state is rebuilt from the database when Redis loses it`,

    reserve(sale, r): Promise<ReserveResult> {
      return reserves.add({ sale, r });
    },

    async purchase(sale, code, now): Promise<HotPurchaseResult> {
      const reply = await run('purchase', sale, [code, now]);
      const kind = reply[0] as string;
      if (kind === 'purchased') return { kind, item: Number(reply[1]), user: String(reply[2]) };
      return { kind: kind as 'unknown' | 'used' | 'expired' | 'missing' };
    },

    async unpurchase(sale, code) {
      await run('unpurchase', sale, [code]);
    },

    async release(sale, code) {
      await run('release', sale, [code]);
    },

    async counts(sale, now): Promise<HotCounts | 'missing'> {
      const reply = await run('counts', sale, [now]);
      if (reply[0] === 'missing') return 'missing';
      return { sold: Number(reply[1]), reserved: Number(reply[2]) };
    },

    async load(sale: SaleTerms, snapshot: SaleSnapshot, at: number) {
      const [meta, holder, expiry, codes, taken] = keysOf(sale);
      const holders: Record<string, string> = {};
      const scored: Array<string | number> = [];
      const records: Record<string, string> = {};
      const counts = new Map<string, number>();
      const count = (user: string) => counts.set(user, (counts.get(user) ?? 0) + 1);
      for (const s of snapshot.sold) {
        holders[s.item] = '!';
        count(s.user);
      }
      for (const r of snapshot.reserved) {
        holders[r.item] = r.code;
        scored.push(r.expiresAt, r.item);
        records[r.code] = `R|${r.expiresAt}|${r.item}|${r.user}`;
        count(r.user);
      }
      // One transaction: no script sees a half-loaded sale, and `limit` (the marker) comes with all of it.
      const tx = redis.client.multi().del(meta, holder, expiry, codes, taken);
      tx.hset(meta, { items: sale.items, limit: sale.userLimit, sold: snapshot.sold.length });
      if (Object.keys(holders).length > 0) tx.hset(holder, holders);
      if (scored.length > 0) tx.zadd(expiry, ...scored);
      if (Object.keys(records).length > 0) tx.hset(codes, records);
      if (counts.size > 0) tx.hset(taken, Object.fromEntries(counts));
      const keep = Math.max(0, sale.endsAt - at) + keepMs;
      for (const key of [meta, holder, expiry, codes, taken]) tx.pexpire(key, keep);
      const results = await tx.exec();
      const failed = results?.find(([err]) => err !== null);
      if (results === null || failed) throw failed?.[0] ?? new Error('the load transaction was discarded');
    },

    async drop(saleIds) {
      // One sale at a time: a sale's keys share a Cluster slot, different sales' need not.
      for (const id of saleIds) await redis.client.unlink(...saleKeys(opts.prefix, id));
    },
  };
}
