import { randomUUID } from 'node:crypto';
import type { Lifecycle } from '../../../platform/lifecycle/lifecycle.js';
import {
  BatchWriter,
  DataRejected,
  type ItemResults,
  type SqlClient,
  type SqlTransaction,
  splitOnDataError,
} from '../../../platform/postgres/mod.js';
import type { TracerPort } from '../../../platform/telemetry/ports.js';
import type { AckMode } from '../config.js';
import { bodyDigest } from '../idempotency.js';
import { parseTicket } from '../parse.js';
import type { TicketSql } from '../pg/sql.js';
import {
  type IncomingTicket,
  MAX_RECEIVE_BATCH,
  type ReceiveOutcome,
  receiveTickets,
  recordTreatments,
  type Treatment,
} from '../pg/store.js';
import type { TicketMeter } from './metrics.js';
import { countTreatments } from './treater.js';

/** Tickets per group commit. */
const MAX_BATCH = 1000;
/** Body bytes per INSERT statement: a batch of large bodies is written in several statements. */
const MAX_STATEMENT_BYTES = 8 * 1024 * 1024;

export interface IntakeOptions {
  readonly client: SqlClient;
  readonly transaction: SqlTransaction;
  readonly sql: TicketSql;
  readonly mode: AckMode;
  readonly meter: TicketMeter;
  readonly tracer: TracerPort;
  /** Group commits written at once. */
  readonly writeConcurrency: number;
  /** Called after tickets were committed as `received` (the workers look at once). */
  readonly onStored: () => void;
  /** Body bytes waiting for or in a commit at most; past it submit() refuses (IntakeFull). */
  readonly maxPendingBytes: number;
}

/** The intake holds maxPendingBytes already: the ticket was not taken (503, retry). */
export class IntakeFull extends Error {
  override readonly name = 'IntakeFull';
}

/** What submit() resolves with: the store's outcome, or `rejected` when the database refused the item. */
export type IntakeResult = ReceiveOutcome | { readonly kind: 'rejected'; readonly detail: string };

/**
 * The acknowledgement path of POST /ticket. Every ticket submitted during one event-loop turn is
 * written by ONE group commit (the platform's BatchWriter), and submit() resolves only once that
 * commit returned, so a 202 always follows a COMMIT.
 *
 * - `durable` mode: the raw body is inserted as `received`; the workers parse it afterwards.
 * - `after-parse` mode (the seed's way, for comparison): in the same transaction the bodies are
 *   inserted, parsed, and recorded with their lines and products, before anyone is answered.
 *
 * A batch is split into statements of at most 8 MiB of bodies; each statement commits on its own,
 * and each ticket's result is that of its own statement, so a failure after an earlier statement
 * committed never turns a stored ticket into a 503.
 * submit() rejects when the ticket was not stored (Postgres down, a timeout, stopping).
 */
export class TicketIntake {
  readonly #writer: BatchWriter<IncomingTicket, IntakeResult>;
  #pendingBytes = 0;

  constructor(private readonly opts: IntakeOptions) {
    const write = splitOnDataError((batch: IncomingTicket[]) => this.#write(batch));
    const flush = async (batch: IncomingTicket[]): Promise<ItemResults<IntakeResult>> =>
      (await write(batch)).map((r) =>
        r instanceof DataRejected ? { kind: 'rejected', detail: r.message } : r,
      );
    this.#writer = new BatchWriter(flush, opts.writeConcurrency, Math.min(MAX_BATCH, MAX_RECEIVE_BATCH));
  }

  /** Registers the group commit's drain: at the deadline, tickets still being written are counted. */
  register(lifecycle: Lifecycle): this {
    lifecycle.add({
      name: 'ticket intake',
      unit: 'tickets',
      drain: (signal) => this.#writer.drain(signal),
    });
    return this;
  }

  /** True while some ticket waits for or is in a commit (the workers yield to it). */
  busy(): boolean {
    return this.#pendingBytes > 0;
  }

  /**
   * Stores one ticket (see the class); rejects when it is not durable. A slow database must not
   * let bodies pile up in memory: past maxPendingBytes it rejects at once with IntakeFull.
   */
  submit(body: Buffer, idempotencyKey: string | null): Promise<IntakeResult> {
    const size = body.byteLength;
    if (this.#pendingBytes + size > this.opts.maxPendingBytes) {
      return Promise.reject(new IntakeFull(`${this.#pendingBytes} bytes already wait for their commit`));
    }
    this.#pendingBytes += size;
    const done = this.#writer.add({ id: randomUUID(), idempotencyKey, body, digest: bodyDigest(body) });
    const release = () => {
      this.#pendingBytes -= size;
    };
    done.then(release, release);
    return done;
  }

  async #write(batch: IncomingTicket[]): Promise<ItemResults<IntakeResult>> {
    const out: Array<IntakeResult | Error> = [];
    for (const chunk of byBytes(batch, MAX_STATEMENT_BYTES)) {
      try {
        out.push(...(await this.#writeChunk(chunk)));
      } catch (err) {
        // A data error of a single-chunk batch goes to splitOnDataError, which isolates the item.
        if (out.length === 0 && chunk.length === batch.length) throw err;
        const failed = err instanceof Error ? err : new Error(String(err));
        for (let i = 0; i < chunk.length; i++) out.push(failed);
      }
    }
    return out;
  }

  #writeChunk(chunk: IncomingTicket[]): Promise<ReceiveOutcome[]> {
    const { client, transaction, sql, mode, meter, tracer } = this.opts;
    return tracer.inSpan(
      'tickets.receive',
      { 'tickets.batch': chunk.length, 'tickets.ack': mode },
      async () => {
        if (mode === 'durable') {
          const outcomes = await receiveTickets(client, sql, chunk);
          const stored = outcomes.filter((o) => o.kind === 'stored').length;
          meter.received.inc(stored);
          if (stored > 0) this.opts.onStored();
          return outcomes;
        }
        let treated: Treatment[] = [];
        const outcomes = await transaction(async (tx) => {
          const got = await receiveTickets(tx, sql, chunk);
          const parsed: Treatment[] = [];
          got.forEach((o, i) => {
            if (o.kind !== 'stored') return;
            const ticket = { id: o.id, seq: o.seq, receivedAt: o.receivedAt };
            parsed.push({ ticket, result: parseTicket((chunk[i] as IncomingTicket).body) });
          });
          const summary = await recordTreatments(tx, sql, parsed);
          treated = parsed.filter((t) => summary.done.has(t.ticket.id));
          return got;
        });
        meter.received.inc(outcomes.filter((o) => o.kind === 'stored').length);
        countTreatments(meter, treated);
        return outcomes;
      },
    );
  }
}

/** `items` cut into runs of at most `max` body bytes (a single larger body is a run of its own). */
function byBytes(items: IncomingTicket[], max: number): IncomingTicket[][] {
  const runs: IncomingTicket[][] = [];
  let run: IncomingTicket[] = [];
  let bytes = 0;
  for (const item of items) {
    if (run.length > 0 && bytes + item.body.byteLength > max) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(item);
    bytes += item.body.byteLength;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
