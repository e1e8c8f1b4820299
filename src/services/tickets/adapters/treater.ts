import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Stoppable } from '../../../platform/lifecycle/lifecycle.js';
import { isDataError, type SqlClient, type SqlTransaction } from '../../../platform/postgres/mod.js';
import type { TracerPort } from '../../../platform/telemetry/ports.js';
import { describeError } from '../../../shared/errors.js';
import { parseTicket } from '../parse.js';
import type { TicketSql } from '../pg/sql.js';
import { claimReceived, readBacklog, recordTreatments, type Treatment } from '../pg/store.js';
import type { TicketMeter } from './metrics.js';

export interface TreaterOptions {
  readonly client: SqlClient;
  readonly transaction: SqlTransaction;
  readonly sql: TicketSql;
  readonly meter: TicketMeter;
  readonly logger: Logger;
  readonly tracer: TracerPort;
  /** Concurrent loops; each holds one connection for the length of a claim. */
  readonly workers: number;
  /** Tickets per claim. */
  readonly batch: number;
  /** How long an idle loop waits before looking again (ms) unless woken; default 250. */
  readonly idleMs?: number;
  /**
   * True while acknowledgements wait for a commit (a burst is arriving). Then each loop pauses
   * `yieldMs` after a batch, so the intake gets the CPU and Postgres first; unset: never pauses.
   */
  readonly intakeBusy?: () => boolean;
  /** The pause after a batch while the intake is busy (ms); default 100. */
  readonly yieldMs?: number;
}

/** The longest pause between attempts while Postgres is down (ms). */
const MAX_BACKOFF_MS = 2000;

/**
 * The parsing workers. The queue is the tickets table itself: each loop, in ONE transaction,
 * claims the oldest `received` tickets (FOR UPDATE SKIP LOCKED, so loops and processes never wait
 * on each other), parses them and records status, lines, warnings and products. A crash anywhere
 * rolls the claim back, and the tickets are claimed again after a restart: nothing acknowledged
 * depends on this process's memory. That is why this is not the platform's WorkerPool, whose
 * items are messages handed out and handed back: here a claim is a transaction, and the backlog
 * needs no hand-back at all.
 *
 * Failures: a database refusing a batch for its data (SQLSTATE 22/23) is recorded one ticket at a
 * time, and the one refused alone is recorded as `error` with kind `store_rejected`; any other
 * failure (Postgres down, a timeout) is retried with a capped backoff, logged once per outage.
 *
 * Stopping works the backlog off until it is empty or the drain deadline passes; then it counts
 * the tickets left `received` (durable, treated at the next start) as its unclean remainder.
 */
export class Treater implements Stoppable {
  readonly name = 'ticket workers';
  readonly unit = 'tickets left received';
  #stopping = false;
  #draining = false;
  #loops: Promise<void>[] = [];
  readonly #wakers = new Set<() => void>();
  readonly #stop = new AbortController();

  constructor(private readonly opts: TreaterOptions) {}

  start(): void {
    if (this.#loops.length > 0) return;
    for (let i = 0; i < this.opts.workers; i++) this.#loops.push(this.#loop());
  }

  /** New tickets are stored: idle loops look now instead of at their next poll. */
  wake(): void {
    for (const wake of this.#wakers) wake();
    this.#wakers.clear();
  }

  async drain(signal: AbortSignal): Promise<number> {
    this.#draining = true;
    this.wake();
    const abort = () => {
      this.#stopping = true;
      this.#stop.abort();
      this.wake();
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    try {
      await Promise.all(this.#loops);
    } finally {
      signal.removeEventListener('abort', abort);
    }
    if (!signal.aborted) return 0;
    // Not lost (they are committed), but not treated either: the stop is unclean and says so.
    return readBacklog(this.opts.client, this.opts.sql);
  }

  async #loop(): Promise<void> {
    const { logger } = this.opts;
    let failures = 0;
    while (!this.#stopping) {
      let claimed: number;
      try {
        claimed = await this.#treat(this.opts.batch);
        if (failures > 0) logger.info({ failures }, 'ticket workers: Postgres answers again');
        failures = 0;
      } catch (err) {
        failures++;
        if (failures === 1)
          logger.warn({ err: describeError(err) }, 'ticket workers: claim failed; retrying');
        await this.#pause(Math.min(100 * 2 ** failures, MAX_BACKOFF_MS));
        continue;
      }
      if (claimed > 0) {
        // Intake first: a burst is absorbed at insert speed, and the backlog is treated behind it
        // (still one batch per loop per pause, so it never stalls); a drain does not wait.
        if (!this.#draining && this.opts.intakeBusy?.() === true) await this.#pause(this.opts.yieldMs ?? 100);
        continue;
      }
      // Under drain, an empty claim means nothing is left that no other loop holds.
      if (this.#draining) return;
      await this.#idle();
    }
  }

  #pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => {});
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        // A quiet service polls for hours: a waker left behind by each poll would pile up.
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.opts.idleMs ?? 250);
      this.#wakers.add(done);
    });
  }

  /** Claims, parses and records up to `limit` tickets; resolves with how many were claimed. */
  #treat(limit: number): Promise<number> {
    const { sql, transaction, tracer } = this.opts;
    return tracer.inSpan('tickets.treat', { 'tickets.claim_limit': limit }, async () => {
      const treatments = await transaction(async (tx) => {
        const claimed = await claimReceived(tx, sql, limit);
        if (claimed.length === 0) return [];
        const parsed: Treatment[] = claimed.map((ticket) => ({ ticket, result: parseTicket(ticket.body) }));
        return this.#record(tx, parsed);
      });
      this.#count(treatments);
      return treatments.length;
    });
  }

  /**
   * Records `parsed` in the claiming transaction. When the database refuses the batch for its
   * data (SQLSTATE 22/23), each ticket is recorded alone under a savepoint, and one refused alone
   * is recorded as `error` (store_rejected): one bad ticket never holds back the others.
   */
  async #record(tx: SqlClient, parsed: readonly Treatment[]): Promise<Treatment[]> {
    const { sql, logger } = this.opts;
    const done = (summary: { done: ReadonlySet<string> }, ts: readonly Treatment[]) =>
      ts.filter((t) => summary.done.has(t.ticket.id));
    await tx.query('SAVEPOINT batch');
    try {
      return done(await recordTreatments(tx, sql, parsed), parsed);
    } catch (err) {
      if (!isDataError(err)) throw err;
      await tx.query('ROLLBACK TO SAVEPOINT batch');
    }
    const out: Treatment[] = [];
    for (const t of parsed) {
      await tx.query('SAVEPOINT one');
      try {
        out.push(...done(await recordTreatments(tx, sql, [t]), [t]));
      } catch (err) {
        if (!isDataError(err)) throw err;
        await tx.query('ROLLBACK TO SAVEPOINT one');
        const detail = `the database refused the parsed ticket: ${describeError(err)}`;
        const rejected: Treatment = {
          ticket: t.ticket,
          result: { ok: false, error: { kind: 'store_rejected', detail, warnings: [] } },
        };
        out.push(...done(await recordTreatments(tx, sql, [rejected]), [rejected]));
        logger.warn({ id: t.ticket.id, err: describeError(err) }, 'ticket recorded as store_rejected');
      }
    }
    return out;
  }

  #count(treatments: readonly Treatment[]): void {
    const { meter } = this.opts;
    countTreatments(meter, treatments);
  }
}

/** Records what committed treatments add to the metrics: status and parse warnings by kind. */
export function countTreatments(meter: TicketMeter, treatments: readonly Treatment[]): void {
  let treated = 0;
  let errors = 0;
  for (const { result } of treatments) {
    if (result.ok) treated++;
    else errors++;
    for (const w of result.ok ? result.ticket.warnings : result.error.warnings) meter.warning(w.kind);
  }
  if (treated > 0) meter.processed('treated', treated);
  if (errors > 0) meter.processed('error', errors);
}
