import type { StepResult } from '../../load/scenario/types.js';
import type { LoadResult } from '../../load/types.js';
import type { SaleAudit } from '../../services/sale/mod.js';
import type { FlashSaleAudit, FlashSaleResult } from './types.js';

/** Statuses the service records a checkout row for (docs/sale.md): everything but a 503. */
const RECORDED_CHECKOUT = new Set(['200', '400', '404', '409', '429']);

const sum = (xs: Record<string, number>) => Object.values(xs).reduce((a, b) => a + b, 0);

/** The step of that name in a scenario run's result, if it ran. */
export function stepOf(load: LoadResult, name: string): StepResult | undefined {
  return load.steps?.find((s) => s.name === name);
}

/** Checkout requests the service answered with a recorded result, and those it did not answer so. */
export function checkoutAnswers(load: LoadResult): { answered: number; unanswered: number } {
  const c = stepOf(load, 'checkout');
  if (!c) return { answered: 0, unanswered: 0 };
  let answered = 0;
  for (const [status, n] of Object.entries(c.status)) if (RECORDED_CHECKOUT.has(status)) answered += n;
  return { answered, unanswered: c.started - answered };
}

/** The second (from the first flow) in which purchases answered 200 reached `items`; null if never. */
export function soldOutAfter(load: LoadResult, items: number): number | null {
  const p = stepOf(load, 'purchase');
  let total = 0;
  for (const s of p?.timeline ?? []) {
    total += s.status['200'] ?? 0;
    if (total >= items) return s.second + 1;
  }
  return null;
}

/** The load's identities, each checked here, and purchases answered 200 against the ledger's. */
export function identitiesOf(load: LoadResult, audit: SaleAudit): FlashSaleResult['identities'] {
  const s = load.summary;
  const stepsHold = (load.steps ?? []).every(
    (st) =>
      st.started === st.ok + st.failed + st.unfinished &&
      st.completed === st.ok + st.failed &&
      sum(st.status) + sum(st.errors) === st.completed,
  );
  return {
    flowsScheduled: s.scheduled === s.started + s.dropped,
    flowsOutcomes: s.started === s.ok + s.failed + (s.unfinished ?? 0),
    steps: stepsHold,
    purchasesRecorded: (stepOf(load, 'purchase')?.status['200'] ?? 0) === audit.sold,
  };
}

/** The service's audit as the lab reports it: every invariant a named boolean, none optional. */
export function auditOf(a: SaleAudit): FlashSaleAudit {
  const i = a.invariants;
  return {
    soldEqualsItems: i.soldEqualsItems,
    noUserOverLimit: i.noUserOverLimit,
    noItemSoldTwice: i.noItemSoldTwice,
    checkoutsPersisted: i.checkoutsPersisted === true,
    noOversell: i.noOversell,
    codesSingleUse: i.codesSingleUse,
    purchasesMatchCheckouts: i.purchasesMatchCheckouts,
  };
}

function ms(n: number | undefined): string {
  return `${(n ?? 0).toFixed(1)} ms`;
}

function pct(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`;
}

/** The lab's answers, each a sentence computed from this run's numbers (nothing else). */
export function answersOf(r: Omit<FlashSaleResult, 'answers'>): FlashSaleResult['answers'] {
  const a = r.audit;
  const c = r.auditCounts;
  const items = r.settings.items;
  const held = Object.entries(a)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  const flows = r.flows.summary;
  const bought = r.steps.find((s) => s.name === 'purchase')?.status['200'] ?? 0;
  const stepLine = r.steps
    .map((s) => {
      const p = s.latency.percentiles;
      return `${s.name} p50 ${ms(p.p50)}, p90 ${ms(p.p90)}, p99 ${ms(p.p99)} (${s.started} requests)`;
    })
    .join('; ');
  return [
    {
      question: 'Were exactly the items sold, never more?',
      answer:
        held.length === 0
          ? `Yes: the ledger holds ${c.sold} purchases of ${items} items, no item twice, no user over ${r.settings.userLimit} (most by one user: ${c.maxPerUser}), and ${c.checkouts} checkout rows for ${r.checkoutsAnswered} checkouts answered.`
          : `No: ${held.join(', ')} failed. The ledger holds ${c.sold} purchases of ${items} items (most by one user: ${c.maxPerUser}) and ${c.checkouts} checkout rows for ${r.checkoutsAnswered} checkouts answered.`,
    },
    {
      question: 'How fast did it answer?',
      answer: `Timed from each request's call (waits for a connection included): ${stepLine}. Whole flows, from their intended start: p50 ${ms(r.flows.latency.percentiles.p50)}, p99 ${ms(r.flows.latency.percentiles.p99)}.`,
    },
    {
      question: 'How many shoppers bought (flows and distinct users)?',
      answer: `${bought} of ${flows.started} shopper flows ended in a purchase (${pct(bought, flows.started)}); the ledger counts ${c.buyers} distinct users among the buyers (a user may buy up to ${r.settings.userLimit} and come back in several flows); ${r.sale.soldOutAfterS === null ? 'the sale did not sell out during the load' : `the sale sold out ${r.sale.soldOutAfterS} s after it opened`}. The rest met the answers in the outcome mix${r.checkoutsUnanswered > 0 ? `; ${r.checkoutsUnanswered} checkouts got no recorded answer (503 or a transport error)` : ''}.`,
    },
  ];
}
