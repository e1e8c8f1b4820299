import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parsePromText } from '../scrape/mod.js';
import { startCounter } from '../services/counter/service.js';
import { counterClient, increment } from '../services/counter/testing/client.js';
import { postOrder, startTestService } from '../services/orders/testing/harness.js';
import { saleBackends, startTestSale } from '../services/sale/testing/harness.js';
import { testBackends } from '../testing/backends.js';
import { needService } from '../testing/services.js';

const DOC = fileURLToPath(new URL('../../../docs/metrics.md', import.meta.url));
const pg = await needService('postgres');
const nats = await needService('nats');
const skip = pg.skip || nats.skip;

/** What one service exposes: metric family -> type, and the label names its samples carry. */
interface Exposed {
  readonly types: Map<string, string>;
  readonly labels: Map<string, Set<string>>;
}

/** One documented metric: its section (`orders`, `shared`...), type and label names. */
interface Documented {
  readonly section: string;
  readonly type: string;
  readonly labels: Set<string>;
}

const scraped = new Map<string, Exposed>();
const stops: Array<() => Promise<unknown>> = [];

function exposed(text: string): Exposed {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1] as string, m[2] as string);
  const labels = new Map<string, Set<string>>();
  for (const sample of parsePromText(text)) {
    const family = types.has(sample.name) ? sample.name : sample.name.replace(/_(bucket|sum|count)$/, '');
    const set = labels.get(family) ?? new Set<string>();
    for (const k of Object.keys(sample.labels)) set.add(k);
    labels.set(family, set);
  }
  return { types, labels };
}

/** Table rows "| `name` | type | labels | ..." under "## <section>" headings. */
function documented(markdown: string): Map<string, Documented> {
  const out = new Map<string, Documented>();
  let section = '';
  for (const line of markdown.split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) section = /^Shared/.test(heading[1] as string) ? 'shared' : (heading[1] as string).trim();
    const row = /^\| `([a-z_:][a-z0-9_:]*)` \| ([a-z]+) \|([^|]*)\|/.exec(line);
    if (!row) continue;
    assert.ok(!out.has(row[1] as string), `${row[1]} is listed once`);
    // Label names are the backticked words outside parentheses (those list example values).
    const names = (row[3] as string).replace(/\([^)]*\)/g, '').matchAll(/`([a-z_]+)`/g);
    out.set(row[1] as string, {
      section,
      type: row[2] as string,
      labels: new Set([...names].map((m) => m[1] as string)),
    });
  }
  return out;
}

before(async () => {
  if (skip) return;
  // orders in queue mode on NATS (the JetStream metrics), with one order through it.
  const ob = testBackends('metricsdoc');
  const orders = await startTestService(ob, { mode: 'queue' });
  stops.push(
    () => orders.close(),
    () => ob.cleanup(),
  );
  assert.equal((await postOrder(orders.url)).status, 200);
  scraped.set('orders', exposed(await (await fetch(`${orders.url}/metrics`)).text()));

  const sb = saleBackends('metricsdoc');
  const sale = await startTestSale(sb, {});
  stops.push(
    () => sale.close(),
    () => sb.cleanup(),
  );
  await (await fetch(`${sale.url}/checkout?user_id=u1&id=1`, { method: 'POST' })).text();
  scraped.set('sale', exposed(await (await fetch(`${sale.url}/metrics`)).text()));

  const counter = await startCounter({ mode: 'inputq', port: 0, metricsPort: 0 });
  stops.push(() => counter.close());
  const client = counterClient(counter.address);
  await increment(client, 1);
  client.close();
  scraped.set('counter', exposed(await (await fetch(`${counter.metricsUrl}/metrics`)).text()));
});

after(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
});

test('docs/metrics.md lists exactly the metrics the services expose, with their types and labels', {
  skip,
}, async () => {
  const doc = documented(await readFile(DOC, 'utf8'));
  assert.ok(doc.size > 40, `the doc lists ${doc.size} metrics`);
  const seen = new Set<string>();
  for (const [service, { types, labels }] of scraped) {
    for (const [name, type] of types) {
      seen.add(name);
      const entry = doc.get(name);
      assert.ok(entry, `${service} exposes ${name}, which docs/metrics.md does not list`);
      assert.ok(
        entry.section === 'shared' || entry.section === service,
        `${name} is listed under "${entry.section}", but ${service} exposes it`,
      );
      assert.equal(entry.type, type, `${name}: documented type`);
      for (const label of labels.get(name) ?? []) {
        assert.ok(entry.labels.has(label), `${name}: label ${label} is exposed but not documented`);
      }
    }
  }
  for (const [name, entry] of doc) {
    assert.ok(seen.has(name), `docs/metrics.md lists ${name} (${entry.section}), which no service exposes`);
    if (entry.section !== 'shared') {
      assert.ok(scraped.get(entry.section)?.types.has(name), `${name}: ${entry.section} exposes it`);
    }
  }
});
