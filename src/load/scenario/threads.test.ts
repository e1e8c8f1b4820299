import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPeaklabError } from '../../shared/errors.js';
import { waitFor } from '../../testing/wait.js';
import { runLoad } from '../mod.js';
import { assertAccounting } from '../testing/accounting.js';
import { runCli } from '../testing/cli.js';
import { startServer } from '../testing/server.js';
import { assertSteps, step } from '../testing/steps.js';
import type { SecondStats } from '../types.js';

const dir = mkdtempSync(join(tmpdir(), 'peaklab-scenario-threads-'));

function scenario(name: string, code: string): string {
  const file = join(dir, name);
  writeFileSync(file, code);
  return file;
}

test('--threads 2: flows, steps, counters, JTL rows and merged seconds add up to the server count', async () => {
  const byPath: Record<string, number> = {};
  let refused = 0;
  // checkout answers a code (the server's request number); purchase refuses every third code.
  const server = await startServer((req, res, _body, n) => {
    const url = new URL(req.url ?? '', 'http://x');
    byPath[url.pathname] = (byPath[url.pathname] ?? 0) + 1;
    if (url.pathname === '/checkout') {
      res.end(String(n));
      return;
    }
    const code = Number(url.searchParams.get('code'));
    res.statusCode = code % 3 === 0 ? 409 : 200;
    if (code % 3 === 0) refused++;
    setTimeout(() => res.end('{}'), 5);
  });
  const file = scenario(
    'two-steps.mjs',
    `export default async (api) => {
      const r = await api.post('/checkout', { name: 'checkout' });
      api.count('flows');
      const p = await api.post('/purchase?code=' + r.text, { name: 'purchase' });
      if (!p.ok) api.count('purchase refused');
    };`,
  );
  const jtl = join(dir, 'threads.jtl');
  const errorsLog = join(dir, 'threads-errors.jsonl');
  const seconds: SecondStats[] = [];
  try {
    const r = await runLoad(
      {
        target: server.url,
        scenario: file,
        rate: 'constant:200',
        durationMs: 1000,
        threads: 2,
        connections: 4,
        jtl,
        errorsLog,
        // Each thread starts 100 flows: these pass only on the merged counts.
        thresholds: ['started>150', 'checkout: started>150', 'purchase: status_409>40'],
      },
      { onSecond: (s) => seconds.push(s) },
    );
    assert.equal(r.settings.threads, 2);
    assertAccounting(r);
    assertSteps(r);
    const s = r.summary;
    assert.equal(s.scheduled, 200);
    assert.equal(s.started + s.dropped, s.scheduled);
    const checkout = step(r, 'checkout');
    const purchase = step(r, 'purchase');
    assert.deepEqual(
      r.steps?.map((x) => x.name),
      ['checkout', 'purchase'],
      'steps in the order first called',
    );
    // The server counted every call, and each outcome, exactly as the merged steps did.
    assert.equal(checkout.unfinished + purchase.unfinished, 0);
    assert.equal(byPath['/checkout'], checkout.completed);
    assert.equal(byPath['/purchase'], purchase.completed);
    assert.equal(server.received, checkout.started + purchase.started);
    assert.equal(purchase.status['409'], refused);
    assert.ok(refused > 40, `refused ${refused}`);
    assert.equal(s.status['purchase:409'], refused);
    assert.equal(s.ok, purchase.status['200']);
    assert.deepEqual(r.counters, { flows: s.started, 'purchase refused': refused });
    assert.deepEqual(
      r.thresholds?.map((t) => t.passed),
      [true, true, true],
    );
    for (const x of r.steps ?? []) assert.equal(x.timeline.length, r.timeline.length, x.name);
    assert.equal(checkout.latency.count, checkout.completed, 'merged histogram counts every call');
    // onSecond: merged seconds, in order, adding up to the result's.
    assert.deepEqual(
      seconds.map((x) => x.second),
      r.timeline.map((x) => x.second),
    );
    assert.equal(
      seconds.reduce((n, x) => n + x.started, 0),
      s.started,
    );
    assert.equal(
      seconds.reduce((n, x) => n + x.completed, 0),
      s.completed,
    );
    // Both threads wrote their rows, whole, to the one JTL: thread i has every other flow.
    const rows = readFileSync(jtl, 'utf8').trimEnd().split('\n').slice(1);
    const count = (label: string, thread?: string) =>
      rows.filter((l) => {
        const c = l.split(',');
        return c[2] === label && (thread === undefined || c[5] === thread);
      }).length;
    assert.equal(count(`flow ${file}`, 'peaklab 1-2'), 100);
    assert.equal(count(`flow ${file}`, 'peaklab 2-2'), 100);
    assert.equal(count('checkout'), checkout.completed);
    assert.equal(count('purchase'), purchase.completed);
    assert.ok(count('purchase', 'peaklab 1-2') > 0 && count('purchase', 'peaklab 2-2') > 0);
    assert.equal(rows.length, 200 + checkout.completed + purchase.completed);
    const errors = readFileSync(errorsLog, 'utf8').trim().split('\n');
    assert.equal(errors.length, s.failed);
    for (const line of errors) assert.match(String(JSON.parse(line).status), /^purchase:409$/);
  } finally {
    await server.close();
  }
});

test('--threads 2 with --vus: each thread loops its share of users; counts match the server', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 2));
  const file = scenario(
    'closed.mjs',
    "export default async (api) => { await api.get('/c', { name: 'c' }); };",
  );
  try {
    const r = await runLoad({ target: server.url, scenario: file, vus: 4, threads: 2, durationMs: 500 });
    assert.equal(r.settings.threads, 2);
    assertAccounting(r);
    assertSteps(r);
    const c = step(r, 'c');
    assert.equal(c.unfinished, 0);
    assert.equal(server.received, c.completed);
    assert.equal(r.summary.started, c.started);
    assert.ok(server.maxOpen <= 4, `at most 4 users in flight: ${server.maxOpen}`);
    assert.ok(r.summary.started > 20, `${r.summary.started} flows`);
  } finally {
    await server.close();
  }
});

test('--seed with --threads: a flow draws the same numbers whichever thread runs it', async () => {
  const paths: string[][] = [];
  const server = await startServer((req, res) => {
    paths.at(-1)?.push(req.url ?? '');
    res.end('ok');
  });
  const file = scenario(
    'seeded.mjs',
    "export default async (api) => { await api.get('/r/' + api.flow + '/' + api.randomInt(0, 1e9), { name: 'r' }); };",
  );
  const run = async (seed: number, threads: number, closed = false) => {
    paths.push([]);
    const r = await runLoad({
      target: server.url,
      scenario: file,
      seed,
      threads,
      ...(closed ? { vus: 2, thinkMs: 10 } : { rate: 'constant:40' }),
      durationMs: 500,
    });
    assert.equal(r.settings.seed, seed);
    assert.equal(r.summary.unfinished, 0);
    return new Map((paths.at(-1) ?? []).map((p) => p.split('/').slice(2) as [string, string]));
  };
  try {
    // The open model numbers flows by their start, on any number of threads.
    const one = await run(42, 1);
    const two = await run(42, 2);
    const other = await run(43, 2);
    assert.equal(one.size, 20);
    assert.deepEqual([...two].sort(), [...one].sort(), 'seed 42: the same draws on 1 and 2 threads');
    assert.notDeepEqual([...other].sort(), [...one].sort(), 'another seed: other draws');
    // The closed model: thread i numbers its flows i, i+N, ...; the same seed and N repeat them.
    const a = await run(7, 2, true);
    const b = await run(7, 2, true);
    const common = [...a.keys()].filter((k) => b.has(k));
    assert.ok(common.length >= 10, `${common.length} flows in both runs`);
    for (const k of common) assert.equal(b.get(k), a.get(k), `flow ${k}`);
    assert.ok(
      [...a.keys()].some((k) => Number(k) % 2 === 1),
      'the second thread ran flows',
    );
  } finally {
    await server.close();
  }
});

test("--threads bad input: the plain runs' errors; a module failing in a worker is PL_FILE_INVALID", async () => {
  const server = await startServer();
  const ok = scenario('ok.mjs', 'export default async () => {};');
  const top = scenario('top.mjs', 'throw new Error("top-level in a worker");');
  const load = (...args: string[]) => runCli(['load', server.url, '--duration', '1s', '--quiet', ...args]);
  try {
    for (const bad of [
      ['--rate', 'constant:5', '--threads', '3', '--connections', '2'],
      ['--rate', 'constant:5', '--threads', '2', '--max-inflight', '1'],
      ['--vus', '1', '--threads', '2'],
    ]) {
      const plain = await load(...bad);
      const flows = await load('--scenario', ok, ...bad);
      assert.equal(plain.code, 2, plain.err);
      assert.equal(flows.code, 2, flows.err);
      assert.match(flows.err, /--threads \d needs/);
      assert.equal(flows.err, plain.err, bad.join(' '));
    }
    const started = Date.now();
    const failed = await load('--scenario', top, '--rate', 'constant:5', '--threads', '2');
    assert.equal(failed.code, 2, failed.err);
    assert.equal(failed.err.trimEnd().split('\n').length, 1, failed.err);
    assert.match(
      failed.err,
      /scenario .*top\.mjs: cannot be loaded: top-level in a worker.*\(PL_FILE_INVALID\)$/m,
    );
    assert.ok(Date.now() - started < 10_000, 'no hang');
    // A .ts module loads through tsx in the workers too.
    const typed = scenario(
      'typed.ts',
      "export default async (api: { get(p: string, o: { name: string }): Promise<unknown> }): Promise<void> => { await api.get('/t', { name: 't' }); };",
    );
    const before = server.received;
    const r = await runLoad({
      target: server.url,
      scenario: typed,
      rate: 'constant:20',
      durationMs: 500,
      threads: 2,
    });
    assert.equal(r.summary.ok, 10);
    assert.equal(step(r, 't').ok, 10);
    assert.equal(server.received - before, 10);
  } finally {
    await server.close();
  }
});

test('a module that throws in one worker ends the run with PL_FILE_INVALID; no worker is left behind', async () => {
  const server = await startServer();
  const beat = join(dir, 'beat');
  // Worker 0 loads and beats (a timer that keeps its thread alive); worker 1 throws once it beats.
  const file = scenario(
    'one-throws.mjs',
    `import { appendFileSync, existsSync } from 'node:fs';
    import { workerData } from 'node:worker_threads';
    const beat = ${JSON.stringify(beat)};
    if (workerData.share.index === 0) setInterval(() => appendFileSync(beat, 'x'), 10);
    else {
      for (let i = 0; i < 500 && !existsSync(beat); i++) await new Promise((r) => setTimeout(r, 10));
      throw new Error('worker ' + workerData.share.index + ' refuses');
    }
    export default async () => {};`,
  );
  try {
    await assert.rejects(
      runLoad({ target: server.url, scenario: file, rate: 'constant:10', durationMs: 1000, threads: 2 }),
      (err: unknown) => isPeaklabError(err, 'PL_FILE_INVALID') && /worker 1 refuses/.test(err.message),
    );
    assert.ok(existsSync(beat), 'worker 0 was running');
    // Terminated: its timer beats no more.
    await sleep(200);
    const size = statSync(beat).size;
    await sleep(300);
    assert.equal(statSync(beat).size, size, 'worker 0 still beats after the run ended');
    assert.equal(server.received, 0);
  } finally {
    await server.close();
  }
});

test('--threads 2 stopped early (Ctrl+C): every thread stops, the partial counts still add up', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 20));
  const file = scenario(
    'stopped.mjs',
    "export default async (api) => { await api.get('/a', { name: 'a' }); await api.get('/b', { name: 'b' }); };",
  );
  try {
    const stop = new AbortController();
    // Stop once the threads are well under way (30 requests seen; after 4 s regardless), not after
    // a fixed time: on a busy machine starting the workers alone can take most of a fixed 400 ms.
    void waitFor(async () => server.received >= 30, 4000, 5).then(() => stop.abort());
    const started = Date.now();
    const r = await runLoad(
      { target: server.url, scenario: file, rate: 'constant:100', durationMs: 10_000, threads: 2 },
      { signal: stop.signal },
    );
    assert.ok(Date.now() - started < 6000, `stopped after ${Date.now() - started} ms`);
    assert.equal(r.interrupted, true);
    assertAccounting(r);
    assertSteps(r);
    assert.ok(r.summary.started > 10 && r.summary.started < 200, `${r.summary.started} flows`);
    const calls = step(r, 'a').completed + step(r, 'b').completed;
    // A step cut off by the stop was received by the server but has no outcome here.
    const cut = step(r, 'a').unfinished + step(r, 'b').unfinished;
    assert.ok(
      server.received >= calls && server.received <= calls + cut,
      `${server.received} vs ${calls}+${cut}`,
    );
  } finally {
    await server.close();
  }
});
