import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareRuns } from './compare.js';
import { runCli } from './testing/cli.js';
import { fakeResult } from './testing/result.js';
import { startServer } from './testing/server.js';

test('compare flags a 2x slower server and not a rerun of the same one', async () => {
  // A fixed server delay sets both metrics compared: p50 (~delay) and, with a fixed number of
  // virtual users, throughput (~users / delay). Doubling the delay doubles one and halves the other;
  // a busy machine moves them far less than the 25% allowed. (p99 is left out: one scheduling
  // hiccup on a shared machine moves it more than any margin a test could hold.)
  let delayMs = 20;
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), delayMs));
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-compare-'));
  const run = async (name: string) => {
    const file = join(dir, name);
    const r = await runCli([
      'load',
      `${server.url}/`,
      '--vus',
      '4',
      '--duration',
      '2s',
      '--quiet',
      '--out',
      file,
    ]);
    assert.equal(r.code, 0, r.err);
    return file;
  };
  const flags = ['--max-regression', '25%', '--metrics', 'p50,throughput'];
  try {
    const baselines = [await run('base1.json'), await run('base2.json'), await run('base3.json')];
    const rerun = await run('rerun.json');
    delayMs = 40;
    const slow = await run('slow.json');

    const same = await runCli(['compare', ...baselines, rerun, ...flags]);
    assert.equal(same.code, 0, `${same.out}${same.err}`);
    assert.match(same.out, /Compared with 3 baseline runs/);
    assert.doesNotMatch(same.out, /REGRESSION/);
    assert.match(same.out, /no regression/);

    const slower = await runCli(['compare', ...baselines, slow, ...flags]);
    assert.equal(slower.code, 1, slower.out);
    assert.match(slower.out, /\n {2}p50 .* REGRESSION\n/);
    assert.match(slower.out, /\n {2}throughput .* REGRESSION\n/);
    assert.doesNotMatch(slower.out, /p99|errorRate/, 'only the metrics asked for');
    assert.match(
      slower.err,
      /^peaklab: regression in p50, throughput against the baseline \(PL_REGRESSION\)\n$/,
    );

    // Without --metrics, all four are compared.
    const all = await runCli(['compare', ...baselines, slow]);
    for (const metric of ['p50', 'p99', 'throughput', 'errorRate'])
      assert.match(all.out, new RegExp(`\\n {2}${metric} `));
  } finally {
    await server.close();
  }
});

test('throughput is completed per second of the whole run: the schedule and its drain', () => {
  const run = () => fakeResult([{ latenciesMs: Array.from({ length: 100 }, () => 5) }]);
  const base = run();
  const drained = run();
  drained.summary.drainMs = 1000;
  const [m] = compareRuns([base], drained, 0.1, ['throughput']).metrics;
  assert.equal(m?.baseline, 100);
  assert.equal(m?.current, 50);
});
