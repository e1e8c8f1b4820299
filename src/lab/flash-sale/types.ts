import type { StepResult } from '../../load/scenario/types.js';
import type { LatencySummary, LoadSummary, SecondStats } from '../../load/types.js';

/** The audit of the sale, read from Postgres after the service stopped: each invariant a named boolean. */
export interface FlashSaleAudit {
  /** Purchases recorded = the sale's items: it sold out, no more, no less. */
  soldEqualsItems: boolean;
  /** No user bought more than the user limit. */
  noUserOverLimit: boolean;
  /** No item has two purchases. */
  noItemSoldTwice: boolean;
  /** Checkout rows of the sale = checkout requests answered (200, 400, 404, 409, 429) as the load counted them. */
  checkoutsPersisted: boolean;
  /** No more purchases than items, each of an item 1..items. */
  noOversell: boolean;
  /** No code bought twice. */
  codesSingleUse: boolean;
  /** Each purchase used a code a checkout issued to that user for that item, before it expired. */
  purchasesMatchCheckouts: boolean;
}

/** What results.json holds (schema peaklab.flash-sale/v1). */
export interface FlashSaleResult {
  schema: 'peaklab.flash-sale/v1';
  startedAt: string;
  settings: {
    items: number;
    userLimit: number;
    rate: number;
    durationMs: number;
    seed: number;
    quick: boolean;
    /** The scenario's mix, as given to it (api.vars). */
    mix: Record<string, string>;
    saleIntervalS: number;
    checkoutTtlS: number;
  };
  backends: { database: 'postgres' | 'pglite'; hotPath: 'redis' | 'in-process' };
  /** How `serve sale` ran; `exitCode` after SIGTERM (0: it flushed everything and closed). */
  service: { args: string[]; exitCode: number | null; schema?: string; redisPrefix?: string };
  sale: {
    id: number;
    /** Seconds from the first flow to the last purchase the load saw answered 200; null: not sold out. */
    soldOutAfterS: number | null;
  };
  /** The flows (one per shopper): the load's summary, latency from intended start, and timeline. */
  flows: { summary: LoadSummary; latency: LatencySummary; timeline: SecondStats[] };
  /** checkout and purchase: counts, p50/p90/p99 and their per-second timelines. */
  steps: StepResult[];
  /** Every non-200 answer by its error code, and purchases: "checkout 409 item_unavailable". */
  outcomes: Record<string, number>;
  /** The load's identities, each checked by code. */
  identities: {
    /** scheduled = started + dropped. */
    flowsScheduled: boolean;
    /** started = ok + failed + unfinished. */
    flowsOutcomes: boolean;
    /** Per step: started = ok + failed + unfinished, completed = statuses + errors. */
    steps: boolean;
    /** Purchases answered 200 (load) = purchases recorded (ledger). */
    purchasesRecorded: boolean;
  };
  /** Checkout requests answered 200/400/404/409/429 by the service, and those with no answer (errors, 503). */
  checkoutsAnswered: number;
  checkoutsUnanswered: number;
  audit: FlashSaleAudit;
  auditCounts: {
    sold: number;
    buyers: number;
    maxPerUser: number;
    checkouts: number;
    checkoutsByResult: Record<string, number>;
  };
  /** Short answers, each computed from this run's numbers. */
  answers: { question: string; answer: string }[];
  /** The errors file: one JSON line per flow that did not buy (its step, status and body). */
  errorsFile: string;
}
