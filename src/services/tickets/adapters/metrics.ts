import { Counter, Gauge, type Registry } from 'prom-client';
import type { CounterPort } from '../../../platform/telemetry/ports.js';
import { WARNING_KINDS, type WarningKind } from '../ticket.js';

/** What the tickets service counts; the worker and the intake record into it. */
export interface TicketMeter {
  /** A ticket stored (new, acknowledged); a replay of a stored one is not counted. */
  readonly received: CounterPort;
  /** A refused POST /ticket, by why (reason label). */
  refused(reason: RefusalReason): void;
  /** A ticket recorded as treated or error. */
  processed(status: 'treated' | 'error', count: number): void;
  /** Parse warnings of recorded tickets, by kind. */
  warning(kind: WarningKind): void;
}

export type RefusalReason =
  | 'empty'
  | 'signature'
  | 'bad_key'
  | 'key_reused'
  | 'rejected'
  | 'busy'
  | 'unavailable';

/**
 * The tickets service's own metrics on `registry` (names as issue 11 asks): tickets_received_total,
 * tickets_processed_total{status}, tickets_backlog (read from Postgres at scrape time through
 * `backlog`, bounded; the last value stays when it fails), ticket_parse_warnings_total{kind},
 * tickets_refused_total{reason}. Every label value exists from the start, so rate() sees zeros.
 */
export function createTicketMeter(registry: Registry, backlog: () => Promise<number>): TicketMeter {
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const received = counter(
    'tickets_received_total',
    'Tickets stored and acknowledged (202); a replayed Idempotency-Key is not counted again',
  );
  const processed = counter(
    'tickets_processed_total',
    'Tickets parsed and recorded, by status: treated (with or without warnings) or error',
    ['status'],
  );
  const warnings = counter(
    'ticket_parse_warnings_total',
    'Parse warnings of recorded tickets, by kind (see docs/tickets.md)',
    ['kind'],
  );
  const refused = counter(
    'tickets_refused_total',
    'POST /ticket answered without storing, by reason (empty 400, signature 401, bad_key 400, key_reused 422, rejected 400, busy 503, unavailable 503)',
    ['reason'],
  );
  const gauge: Gauge = new Gauge({
    name: 'tickets_backlog',
    help: 'Tickets acknowledged and not yet treated (status received in Postgres), read at scrape time',
    registers: [registry],
    async collect() {
      try {
        gauge.set(await withinMs(backlog(), 1000));
      } catch {
        // Telemetry never throws into a scrape: the last value stays.
      }
    },
  });
  const treated = processed.labels({ status: 'treated' });
  const error = processed.labels({ status: 'error' });
  const byKind = new Map<string, CounterPort>();
  for (const kind of Object.keys(WARNING_KINDS)) byKind.set(kind, warnings.labels({ kind }));
  for (const c of [treated, error, ...byKind.values()]) c.inc(0);
  for (const reason of ['empty', 'signature', 'bad_key', 'key_reused', 'rejected', 'busy', 'unavailable']) {
    refused.labels({ reason }).inc(0);
  }
  return {
    received,
    refused: (reason) => refused.labels({ reason }).inc(),
    processed: (status, count) => (status === 'treated' ? treated : error).inc(count),
    warning: (kind) => byKind.get(kind)?.inc(),
  };
}

function withinMs<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
