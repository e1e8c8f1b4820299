/**
 * The flash-sale lab's scenario, run by `peaklab load`'s scenario engine (compiled to
 * sale-flow.js, which `peaklab load --scenario` can run on its own as well). One flow is one
 * shopper: POST /checkout for an item, then POST /purchase with the code it returns.
 *
 * The mix (from api.vars, all whole numbers):
 * - users: `users` ordinary shoppers, and `heavyUsers` who come back again and again (a share
 *   `heavyPct` % of flows): they reach the user limit and meet 429s.
 * - items: `hotPct` % of checkouts go for the `hotItems` hottest items, skewed (item 1 most of all:
 *   r³ of a uniform r); the rest take the next item still on the shelf, a walk through a
 *   shuffled catalogue shared by every flow of the run (a sold item comes round again and answers
 *   409; an item a shopper at the limit could not take goes back on the shelf).
 * - retries: after 409 item_unavailable the shopper tries another item, up to `retries` times;
 *   after a 503 the same item again. sold_out and user_limit_reached end the flow.
 * Every answer that is not a 200 is counted by its body's error code (api.count), so the report
 * can tell 409 item_unavailable from 409 sold_out.
 */
import type { ScenarioApi, StepResponse } from '../../load/scenario/types.js';
import { seededRandom } from '../../shared/seeded-random.js';

interface Mix {
  items: number;
  users: number;
  heavyUsers: number;
  heavyShare: number;
  hotShare: number;
  hotItems: number;
  retries: number;
  /** The shelf: a shuffled catalogue, and where the walk through it is. */
  shelf: Int32Array;
  next: number;
  /** Items a shopper picked from the shelf but could not take for a reason of their own (429, 503): back on it. */
  returned: number[];
}

/** One mix per run (the module stays loaded across runs in one process): keyed by vars.run. */
const mixes = new Map<string, Mix>();

function num(vars: Readonly<Record<string, string>>, name: string, def: number): number {
  const v = vars[name];
  const n = v === undefined ? def : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`vars.${name} must be a whole number, not ${v}`);
  return n;
}

function mixOf(vars: Readonly<Record<string, string>>): Mix {
  const key = vars.run ?? '';
  let m = mixes.get(key);
  if (m) return m;
  const items = Math.max(1, num(vars, 'items', 1000));
  // The shelf is shuffled by its own seeded generator (Fisher-Yates), the same for the same seed.
  const shelf = new Int32Array(items);
  for (let i = 0; i < items; i++) shelf[i] = i + 1;
  const rand = seededRandom(num(vars, 'seed', 1));
  for (let i = items - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = shelf[i] as number;
    shelf[i] = shelf[j] as number;
    shelf[j] = t;
  }
  m = {
    items,
    users: Math.max(1, num(vars, 'users', Math.ceil(items / 2))),
    heavyUsers: num(vars, 'heavyUsers', 20),
    heavyShare: num(vars, 'heavyPct', 10) / 100,
    hotShare: num(vars, 'hotPct', 30) / 100,
    hotItems: Math.min(items, Math.max(1, num(vars, 'hotItems', Math.ceil(items / 100)))),
    retries: num(vars, 'retries', 2),
    shelf,
    next: 0,
    returned: [],
  };
  // A finished run's mix is dropped when the next run starts: the module outlives runs in one process.
  mixes.clear();
  mixes.set(key, m);
  return m;
}

function pickItem(api: ScenarioApi, m: Mix): number {
  if (api.random() < m.hotShare) return 1 + Math.floor(m.hotItems * api.random() ** 3);
  const back = m.returned.pop();
  if (back !== undefined) return back;
  const item = m.shelf[m.next] as number;
  m.next = (m.next + 1) % m.items;
  return item;
}

/** The error code of an answer's body ({"error":"…"}), or its status when the body has none. */
function errorOf(r: StepResponse): string {
  try {
    const e = (r.json() as { error?: unknown }).error;
    if (typeof e === 'string' && /^[a-z_]{1,40}$/.test(e)) return e;
  } catch {
    // not JSON: the status says it
  }
  return 'no_error_code';
}

export default async function saleFlow(api: ScenarioApi): Promise<void> {
  const m = mixOf(api.vars);
  const heavy = m.heavyUsers > 0 && api.random() < m.heavyShare;
  const user = heavy ? api.randomInt(1, m.heavyUsers) : m.heavyUsers + api.randomInt(1, m.users);
  let item = pickItem(api, m);
  for (let attempt = 0; attempt <= m.retries; attempt++) {
    const c = await api.post(`/checkout?user_id=${user}&id=${item}`, { name: 'checkout' });
    if (c.status === 200) {
      const { code } = c.json<{ code: string }>();
      const p = await api.post(`/purchase?code=${encodeURIComponent(code)}`, { name: 'purchase' });
      api.count(p.status === 200 ? 'purchase 200 purchased' : `purchase ${p.status} ${errorOf(p)}`);
      return;
    }
    const error = errorOf(c);
    api.count(`checkout ${c.status} ${error}`);
    if (c.status === 409 && error === 'item_unavailable') {
      // Another item, while tries are left (a pick not tried would be a shelf slot lost).
      if (attempt < m.retries) item = pickItem(api, m);
    } else if (c.status !== 503) {
      // The item is still there for others: this shopper's limit (429) does not take it off the shelf.
      if (c.status === 429 && item > m.hotItems) m.returned.push(item);
      return;
    }
  }
}
