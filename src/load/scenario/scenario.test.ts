import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runLoad } from '../mod.js';
import { renderReport } from '../outputs.js';
import { JTL_HEADER } from '../sinks.js';
import { assertAccounting } from '../testing/accounting.js';
import { runCli } from '../testing/cli.js';
import { startServer } from '../testing/server.js';
import { assertSteps, step } from '../testing/steps.js';
import type { LoadResult } from '../types.js';

const dir = mkdtempSync(join(tmpdir(), 'peaklab-scenario-'));

function scenario(name: string, code: string): string {
  const file = join(dir, name);
  writeFileSync(file, code);
  return file;
}

test('flows, steps and the server count add up; flow latency counts a wait for a connection', async () => {
  const byPath: Record<string, number> = {};
  // checkout answers a code; purchase answers 409 for every third code, after 20 ms.
  const server = await startServer((req, res, body, n) => {
    const path = (req.url ?? '').split('?')[0] as string;
    byPath[path] = (byPath[path] ?? 0) + 1;
    res.setHeader('content-type', 'application/json');
    if (path === '/api/checkout') res.end(JSON.stringify({ code: n, echo: JSON.parse(body || '{}') }));
    else {
      const code = Number(new URL(req.url ?? '', 'http://x').searchParams.get('code'));
      setTimeout(() => {
        res.statusCode = code % 3 === 0 ? 409 : 200;
        res.end('{}');
      }, 20);
    }
  });
  const file = scenario(
    'sale.mjs',
    `export default async function (api) {
      const r = await api.post('/checkout?user=' + api.flow, { name: 'checkout', body: { u: api.vars.who } });
      const { code, echo } = r.json();
      if (echo.u !== 'me') throw new Error('body not sent as JSON');
      await api.post('/purchase?code=' + code, { name: 'purchase' });
    }`,
  );
  try {
    // One connection: 40 flows × 2 steps queue behind each other. Latency from the flows'
    // intended starts must show that wait; each step's service time does not.
    const r = await runLoad({
      target: `${server.url}/api`,
      scenario: file,
      vars: { who: 'me' },
      rate: 'constant:80',
      durationMs: 500,
      connections: 1,
      timeoutMs: 5000,
      thresholds: [
        'p99<30s',
        'checkout: p99<30s',
        'purchase: status_409>=1',
        'purchase: errors<1%',
        'pay: p99<1s',
      ],
    });
    assertAccounting(r);
    assertSteps(r);
    const s = r.summary;
    assert.equal(s.scheduled, 40);
    assert.equal(s.started, 40);
    const checkout = step(r, 'checkout');
    const purchase = step(r, 'purchase');
    assert.equal(checkout.started, 40);
    assert.equal(checkout.status['200'], 40);
    assert.equal(purchase.started, 40);
    assert.equal(byPath['/api/checkout'], 40);
    assert.equal(byPath['/api/purchase'], 40);
    assert.equal(server.received, checkout.started + purchase.started);
    // A flow is failed exactly when its purchase was a 409; its status names the step.
    assert.equal(s.failed, purchase.status['409']);
    assert.equal(s.status['purchase:409'], purchase.status['409']);
    assert.equal(s.ok, purchase.status['200']);
    assert.ok((purchase.status['409'] ?? 0) > 5, JSON.stringify(purchase.status));
    // 40 purchases of 20 ms run one after another (>= 800 ms); the last flow is due at 487.5 ms.
    assert.ok(r.latency.maxMs > 300, `flow latency max ${r.latency.maxMs}`);
    assert.ok(r.latency.maxMs > 5 * (purchase.serviceTime.percentiles.p50 ?? 0), JSON.stringify(r.latency));
    // Thresholds on flows and on steps ("STEP: expression"), in the order given.
    assert.deepEqual(
      r.thresholds?.map((t) => [t.expression, t.passed]),
      [
        ['p99<30s', true],
        ['checkout: p99<30s', true],
        ['purchase: status_409>=1', true],
        ['purchase: errors<1%', false],
        ['pay: p99<1s', false],
      ],
    );
    assert.equal(r.thresholds?.[4]?.noData, true);
    // Every report shows the steps; the JSON holds them.
    const text = renderReport(r, 'text');
    assert.match(text, /checkout\n {4}40 started = 40 ok \+ 0 failed \+ 0 unfinished/);
    const html = renderReport(r, 'html');
    assert.match(html, /<h2[^>]*>Steps<\/h2>/);
    assert.match(html, /steps-p99/);
    const json = JSON.parse(renderReport(r, 'json')) as LoadResult;
    assert.equal(json.steps?.length, 2);
  } finally {
    await server.close();
  }
});

test('a scenario that throws: each flow fails as scenario_error, and the errors log says why', async () => {
  const server = await startServer();
  const file = scenario(
    'throws.mjs',
    `export default async function (api) {
      await api.get('/first', { name: 'first' });
      if (api.flow % 2 === 1) throw new Error('boom in flow ' + api.flow);
      api.sleep(1);
    }`,
  );
  const errorsLog = join(dir, 'throws-errors.jsonl');
  try {
    const r = await runLoad({
      target: server.url,
      scenario: file,
      rate: 'constant:40',
      durationMs: 250,
      errorsLog,
    });
    assertAccounting(r);
    assertSteps(r);
    assert.equal(r.summary.started, 10);
    assert.equal(r.summary.errors.scenario_error, 5);
    assert.equal(r.summary.ok, 5);
    assert.equal(step(r, 'first').ok, 10);
    const lines = readFileSync(errorsLog, 'utf8').trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0] as string, /boom in flow \d+/);
  } finally {
    await server.close();
  }
});

test('hostile scenarios are bounded: a flow that never resolves, a server that never answers', async () => {
  // Requests to /hang are never answered.
  const server = await startServer((req, res) => {
    if (!req.url?.startsWith('/hang')) res.end('ok');
  });
  const never = scenario(
    'never.mjs',
    `export default async function (api) {
      await api.get('/ok', { name: 'ok' });
      if (api.flow % 2 === 0) await new Promise(() => {});
      else await api.get('/hang', { name: 'hang' });
      await api.get('/after', { name: 'after' });
    }`,
  );
  try {
    const started = Date.now();
    const r = await runLoad({
      target: server.url,
      scenario: never,
      rate: 'constant:20',
      durationMs: 200,
      timeoutMs: 300,
      flowTimeoutMs: 600,
    });
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
    assertAccounting(r);
    assertSteps(r);
    assert.equal(r.summary.started, 4);
    // Two flows hang on their own promise (flow timeout), two on the server (request timeout).
    assert.equal(r.summary.errors.flow_timeout, 2, JSON.stringify(r.summary));
    assert.equal(r.summary.errors.timeout, 2, JSON.stringify(r.summary));
    assert.equal(step(r, 'hang').errors.timeout, 2);
    assert.equal(
      r.steps?.find((s) => s.name === 'after'),
      undefined,
    );

    // Stopped mid-flow: flows in flight are unfinished, and so are their steps.
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const cut = await runLoad(
      { target: server.url, scenario: never, rate: 'constant:20', durationMs: 2000, timeoutMs: 5000 },
      { signal: stop.signal },
    );
    assertAccounting(cut);
    assertSteps(cut);
    assert.ok(cut.interrupted);
    assert.ok((cut.summary.unfinished ?? 0) > 0, JSON.stringify(cut.summary));
    assert.ok(step(cut, 'hang').unfinished > 0);
  } finally {
    await server.close();
  }
});

test('a TypeScript scenario runs through tsx', async () => {
  const server = await startServer();
  const file = scenario(
    'typed.ts',
    `interface Api { get(path: string, o?: { name?: string }): Promise<{ status: number }> }
    export default async function (api: Api): Promise<void> {
      const r = await api.get('/typed', { name: 'typed' });
      if (r.status !== 200) throw new Error('status ' + r.status);
    }`,
  );
  try {
    const r = await runLoad({ target: server.url, scenario: file, rate: 'constant:20', durationMs: 200 });
    assertSteps(r);
    assert.equal(r.summary.ok, 4);
    assert.equal(step(r, 'typed').ok, 4);
  } finally {
    await server.close();
  }
});

test('bad scenario files and flags: one documented line, exit 2', async () => {
  const server = await startServer();
  const cases: [string[], string, string][] = [
    [['--scenario', join(dir, 'missing.mjs')], 'PL_FILE_INVALID', 'no such file'],
    [
      ['--scenario', scenario('nodefault.mjs', 'export const x = 1;')],
      'PL_FILE_INVALID',
      'no default export',
    ],
    [['--scenario', scenario('notfn.mjs', 'export default 42;')], 'PL_FILE_INVALID', 'not a function'],
    [
      ['--scenario', scenario('syntax.mjs', 'export default async (api => {')],
      'PL_FILE_INVALID',
      'cannot be loaded',
    ],
    [['--scenario', scenario('top.mjs', 'throw new Error("top-level")')], 'PL_FILE_INVALID', 'top-level'],
    [['--scenario', scenario('flow.txt', 'hello')], 'PL_FILE_INVALID', 'not a module'],
    [
      ['--scenario', scenario('ok.mjs', 'export default async () => {}'), '--body', 'x'],
      'PL_USAGE',
      '--body',
    ],
    [['--var', 'a=1'], 'PL_USAGE', '--var'],
    [['--seed', '7'], 'PL_USAGE', '--seed is for --scenario'],
    [['--scenario', join(dir, 'ok.mjs'), '--seed', '-1'], 'PL_CONFIG_INVALID', '--seed'],
    [['--scenario', join(dir, 'ok.mjs'), '--seed', 'abc'], 'PL_CONFIG_INVALID', '--seed'],
    [['--scenario', join(dir, 'ok.mjs'), '--seed', String(2 ** 31)], 'PL_CONFIG_INVALID', '--seed'],
    [['--scenario', join(dir, 'ok.mjs'), '--var', '1x'], 'PL_USAGE', 'NAME=VALUE'],
  ];
  try {
    for (const [args, code, mention] of cases) {
      const r = await runCli([
        'load',
        server.url,
        '--rate',
        'constant:5',
        '--duration',
        '1s',
        '--quiet',
        ...args,
      ]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      const lines = r.err.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0] as string, new RegExp(`\\(${code}\\)$`));
      assert.ok(r.err.includes(mention), `${args.join(' ')}: ${r.err}`);
    }
    assert.equal(server.received, 0);
  } finally {
    await server.close();
  }
});

test('a retried step counts by its last attempt; api.count tallies what statuses do not tell apart', async () => {
  // A flow's first attempt is a 409, its second a 200; odd flows give up after the first.
  const server = await startServer((req, res) => {
    const first = req.url?.endsWith('attempt=0');
    res.statusCode = first ? 409 : 200;
    res.end(first ? '{"error":"busy"}' : '{}');
  });
  const file = scenario(
    'retry.mjs',
    `export default async function (api) {
      for (let i = 0; i < (api.flow % 2 === 0 ? 2 : 1); i++) {
        const r = await api.post('/try?attempt=' + i, { name: 'try' });
        if (r.ok) return;
        api.count('try ' + r.json().error);
      }
    }`,
  );
  try {
    const r = await runLoad({
      target: server.url,
      scenario: file,
      rate: 'constant:40',
      durationMs: 250,
      connections: 1,
    });
    assertAccounting(r);
    assertSteps(r);
    // Even flows: 409 then 200, ok. Odd flows: 409 and give up, failed as "try:409".
    assert.equal(r.summary.ok, 5, JSON.stringify(r.summary));
    assert.equal(r.summary.status['try:409'], 5);
    assert.equal(step(r, 'try').status['409'], 10);
    assert.equal(r.counters?.['try busy'], 10);
    assert.equal(step(r, 'try').started, 15);
  } finally {
    await server.close();
  }
});

test('oversized and hostile: a 2 MiB body is kept to 1 MiB; a name per step stops at 100 names', async () => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  const server = await startServer((req, res) => res.end(req.url === '/big' ? big : '{}'));
  const file = scenario(
    'hostile.mjs',
    `export default async function (api) {
      if (api.flow === 0) {
        const r = await api.get('/big', { name: 'big' });
        if (!r.truncated || r.text.length !== 1024 * 1024) throw new Error('kept ' + r.text.length);
        try { r.json(); throw new Error('parsed a truncated body'); } catch (e) { if (!(e instanceof SyntaxError)) throw e; }
        return;
      }
      for (let i = 0; i < 200; i++) await api.get('/n' + i);
    }`,
  );
  try {
    const r = await runLoad({ target: server.url, scenario: file, rate: 'constant:20', durationMs: 100 });
    assertAccounting(r);
    assertSteps(r);
    assert.equal(r.summary.ok, 1, JSON.stringify(r.summary));
    assert.equal(r.summary.errors.scenario_error, 1);
    assert.equal(r.steps?.length, 100);
    assert.equal(step(r, 'big').ok, 1);
  } finally {
    await server.close();
  }
});

test('--seed repeats a run: the same seed draws the same api.random() in every flow', async () => {
  const paths: string[][] = [[], [], []];
  let run = 0;
  const server = await startServer((req, res) => {
    paths[run]?.push(req.url ?? '');
    res.end('ok');
  });
  const file = scenario(
    'seeded.mjs',
    "export default async (api) => { await api.get('/r/' + api.flow + '/' + api.randomInt(0, 1e9), { name: 'r' }); };",
  );
  try {
    const seeds = ['42', '42', '43'];
    for (const [i, seed] of seeds.entries()) {
      run = i;
      const out = join(dir, `seeded-${i}.json`);
      const r = await runCli([
        'load',
        server.url,
        '--scenario',
        file,
        '--rate',
        'constant:20',
        '--duration',
        '1s',
        '--seed',
        seed,
        '--quiet',
        '--out',
        out,
      ]);
      assert.equal(r.code, 0, r.err);
      const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
      assert.equal(result.settings.seed, Number(seed), 'the result records the seed');
    }
    const sorted = (xs: string[] | undefined) => [...(xs ?? [])].sort();
    assert.ok((paths[0]?.length ?? 0) >= 15, `flows ran: ${paths[0]?.length}`);
    assert.deepEqual(sorted(paths[1]), sorted(paths[0]), 'seed 42 twice: the same draws, flow by flow');
    assert.notDeepEqual(sorted(paths[2]), sorted(paths[0]), 'another seed: other draws');
  } finally {
    await server.close();
  }
});

test('steps read response headers: by lower-case name, repeats joined, a hostile name is just a name', async () => {
  const server = await startServer((_q, res) => {
    res.setHeader('X-Code', 'abc-123');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.setHeader('__proto__', 'not-a-prototype');
    res.end('ok');
  });
  const file = scenario(
    'headers.mjs',
    `export default async (api) => {
      const r = await api.get('/h', { name: 'h' });
      api.count('code:' + r.headers['x-code']);
      api.count('cookies:' + r.headers['set-cookie']);
      api.count('proto:' + r.headers['__proto__']);
      api.count('absent:' + String(r.headers['x-absent']));
    };`,
  );
  try {
    const r = await runLoad({
      target: server.url,
      scenario: file,
      rate: 'constant:10',
      durationMs: 500,
    });
    const flows = r.summary.started;
    assert.ok(flows > 0);
    assert.deepEqual(r.counters, {
      'code:abc-123': flows,
      'cookies:a=1, b=2': flows,
      'proto:not-a-prototype': flows,
      'absent:undefined': flows,
    });
  } finally {
    await server.close();
  }
});

test('--jtl with a scenario: a row per step call under its name, a row per flow; the counts match', async () => {
  // purchase answers 409 for every other code.
  let codes = 0;
  const server = await startServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] as string;
    if (path === '/checkout') res.end(String(codes++));
    else {
      const code = Number(new URL(req.url ?? '', 'http://x').searchParams.get('code'));
      res.statusCode = code % 2 === 0 ? 409 : 200;
      res.end('{}');
    }
  });
  const file = scenario(
    'jtl.mjs',
    `export default async (api) => {
      const r = await api.post('/checkout', { name: 'checkout' });
      await api.post('/purchase?code=' + r.text, { name: 'purchase' });
    };`,
  );
  const jtl = join(dir, 'scenario.jtl');
  const out = join(dir, 'scenario-jtl.json');
  try {
    const cli = await runCli([
      'load',
      server.url,
      '--scenario',
      file,
      '--rate',
      'constant:40',
      '--duration',
      '1s',
      '--quiet',
      '--jtl',
      jtl,
      '--out',
      out,
    ]);
    assert.equal(cli.code, 0, cli.err);
    const r = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
    const [header, ...rows] = readFileSync(jtl, 'utf8').trimEnd().split('\n');
    assert.equal(header, JTL_HEADER);
    const cols = (line: string) => line.split(',');
    const byLabel = new Map<string, string[][]>();
    for (const line of rows) {
      const c = cols(line);
      const label = c[2] as string;
      byLabel.set(label, [...(byLabel.get(label) ?? []), c]);
    }
    const flows = byLabel.get(`flow ${file}`) ?? [];
    assert.equal(flows.length, r.summary.scheduled, 'a row per scheduled flow');
    for (const name of ['checkout', 'purchase']) {
      const s = step(r, name);
      const got = byLabel.get(name) ?? [];
      assert.equal(got.length, s.completed + s.unfinished, `${name}: a row per call`);
      assert.equal(got.filter((c) => c[7] === 'false').length, s.failed + s.unfinished, `${name}: failures`);
    }
    const purchases = byLabel.get('purchase') ?? [];
    assert.deepEqual(
      [...new Set(purchases.map((c) => c[3]))].sort(),
      ['200', '409'],
      'response codes as sent',
    );
    assert.equal(rows.length, flows.length + (byLabel.get('checkout')?.length ?? 0) + purchases.length);
    // Rebuilt from the saved result: the flows, under the same label.
    const rebuilt = renderReport(r, 'jtl').trimEnd().split('\n').slice(1);
    assert.equal(rebuilt.length, r.summary.scheduled);
    assert.ok(rebuilt.every((l) => cols(l)[2] === `flow ${file}`));
  } finally {
    await server.close();
  }
});
