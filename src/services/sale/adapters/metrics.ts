import { Counter, Gauge, type Registry } from 'prom-client';
import type { CounterPort } from '../../../platform/telemetry/ports.js';
import { TallyCounter } from '../../../platform/telemetry/tally.js';
import { CHECKOUT_RESULTS, PURCHASE_RESULTS } from '../domain/outcomes.js';
import type { HotCounts, SaleMeter } from '../domain/ports.js';

/** A scrape waits this long for the live counts (ms) before showing the last ones it had. */
const COUNTS_TIMEOUT_MS = 1000;

/**
 * One tally per result, handed to the counter's labelled child when the registry is read (see
 * TallyCounter: an addition per answer instead of prom-client's label hashing). Every series
 * exists from the start, so rate() sees zeros, not gaps.
 */
function tallied<const L extends string>(
  name: string,
  help: string,
  labels: readonly L[],
  registry: Registry,
): Record<L, CounterPort> {
  const out = {} as Record<L, TallyCounter>;
  for (const result of labels) out[result] = new TallyCounter();
  const counter: Counter<'result'> = new Counter({
    name,
    help,
    labelNames: ['result'],
    registers: [registry],
    collect() {
      for (const result of labels) out[result].flushInto(counter.labels({ result }));
    },
  });
  for (const result of labels) counter.labels({ result }).inc(0);
  return out;
}

/**
 * The sale's metrics on `registry` (names as the issue gives them), as the domain's meter port:
 * - `sale_checkouts_total{result}` and `sale_purchases_total{result}`: answers by result
 *   (results as in domain/outcomes.ts);
 * - `sale_items_sold` and `sale_reservations_active`: the current sale's items sold and
 *   reservations live, read from the hot state at scrape time through `counts`.
 * A scrape never fails for the counts: when they do not come in time, it shows the last ones.
 */
export function createSaleMeter(registry: Registry, counts: () => Promise<HotCounts>): SaleMeter {
  const checkouts = tallied(
    'sale_checkouts_total',
    'POST /checkout answers by result: reserved, invalid_params, item_not_found, item_unavailable, user_limit_reached, sold_out, unavailable',
    CHECKOUT_RESULTS,
    registry,
  );
  const purchases = tallied(
    'sale_purchases_total',
    'POST /purchase answers by result: purchased, invalid_params, code_not_found, code_expired, code_used, item_sold, user_limit_reached, unavailable',
    PURCHASE_RESULTS,
    registry,
  );
  let last: HotCounts = { sold: 0, reserved: 0 };
  let inFlight: Promise<HotCounts> | undefined;
  // One read serves both gauges of a scrape.
  const current = (): Promise<HotCounts> => {
    inFlight ??= new Promise<HotCounts>((resolve) => {
      const timer = setTimeout(() => resolve(last), COUNTS_TIMEOUT_MS);
      counts()
        .then(
          (c) => {
            last = c;
            resolve(c);
          },
          () => resolve(last),
        )
        .finally(() => clearTimeout(timer));
    }).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  new Gauge({
    name: 'sale_items_sold',
    help: 'Items sold in the current sale',
    registers: [registry],
    async collect() {
      this.set((await current()).sold);
    },
  });
  new Gauge({
    name: 'sale_reservations_active',
    help: 'Reservations in the current sale that are neither expired nor purchased',
    registers: [registry],
    async collect() {
      this.set((await current()).reserved);
    },
  });
  return { checkouts, purchases };
}
