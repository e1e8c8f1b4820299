import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../load/testing/cli.js';
import { MODES } from '../../services/counter/ports.js';
import { answerLocks } from './answer.js';
import { readLocksSettings } from './config.js';
import type { LockStep, LocksResult } from './types.js';

test('lab locks, small: every step adds up against the counter, unsafe loses updates, the report has the charts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-locks-'));
  try {
    // --quick-sized, smaller still: two VU levels, 300 ms steps, the memory store (the Redis paths
    // are proven exact by the counter's own tests).
    const r = await runCli([
      'lab',
      'locks',
      '--vus',
      '4,16',
      '--step',
      '300ms',
      '--stores',
      'memory',
      '--out',
      dir,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Over memory: when a lock, when a queue, when neither\?/);
    const result = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as LocksResult;
    assert.equal(result.schema, 'peaklab.lab-locks/v1');
    assert.equal(result.steps.length, MODES.length * 2);
    for (const s of result.steps) {
      const where = `${s.mode}/${s.vus}`;
      assert.ok(s.ok > 0, `${where}: calls were answered`);
      assert.equal(s.applied, s.after - s.before, where);
      assert.equal(s.lost, s.ok - s.applied, where);
      assert.equal(s.exact, s.applied === s.ok, where);
      if (s.mode !== 'unsafe') {
        assert.equal(s.failed, 0, where);
        assert.equal(s.exact, true, `${where}: the counter rose by the OK responses`);
      }
      assert.ok(s.p50 <= s.p95 && s.p95 <= s.p99, where);
    }
    // Steps follow each other on one counter per mode: each starts where the last one ended.
    const mutex = result.steps.filter((s) => s.mode === 'mutex');
    assert.ok(mutex[1]!.before >= mutex[0]!.after);
    const lost = result.steps.filter((s) => s.mode === 'unsafe').reduce((n, s) => n + s.lost, 0);
    assert.ok(lost > 0, 'unsafe must lose updates under concurrent load');
    assert.ok(result.answers.some((a) => /lost [\d,]+ of them/.test(a.answer)));
    assert.deepEqual(result.answers, answerLocks(result.steps), 'the answers derive from the steps');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    for (const id of ['throughput-memory', 'p99-memory', 'lost-memory']) assert.ok(html.includes(id), id);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('lab locks: bad settings are one line, exit 2; the answers follow the numbers given', async () => {
  const r = await runCli([
    'lab',
    'locks',
    '--vus',
    '0,x',
    '--modes',
    'mutex,spin',
    '--stores',
    'disk',
    '--step',
    '1',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^peaklab: [^\n]* \(PL_CONFIG_INVALID\)\n$/);
  for (const part of [
    '--vus: "0,x"',
    '--modes: "mutex,spin"',
    '--stores: "disk"',
    '--step: "1" is not a duration',
  ])
    assert.ok(r.err.includes(part), `${part}: ${r.err}`);
  const quick = readLocksSettings({ quick: true }, { env: {}, cwd: '/tmp', now: new Date(0) });
  assert.deepEqual([quick.vus, quick.stepMs], [[10, 100, 1000], 1000]);

  const step = (mode: LockStep['mode'], vus: number, throughput: number, lost = 0): LockStep => ({
    mode,
    store: 'redis',
    vus,
    ok: 100,
    failed: 0,
    failures: {},
    seconds: 1,
    throughput,
    p50: 1,
    p95: 2,
    p99: 3,
    before: 0,
    after: 100 - lost,
    applied: 100 - lost,
    lost,
    exact: lost === 0,
    meanBatch: mode === 'inputq' ? 8 : null,
  });
  const answers = answerLocks([
    step('mutex', 10, 900),
    step('inputq', 10, 800),
    step('atomic', 10, 2000),
    step('mutex', 100, 1000),
    step('inputq', 100, 3000),
    step('atomic', 100, 5000),
    step('unsafe', 100, 4000, 60),
  ]);
  const text = answers.map((a) => a.answer).join(' ');
  assert.match(
    text,
    /Neither, when the store has an atomic operation \(redis\): at 100 VUs atomic made 5,000 it\/s, 1\.67× the best/,
  );
  assert.match(text, /inputq made 3,000 it\/s, 3\.00× mutex/);
  assert.match(
    text,
    /a lock is enough at low concurrency: at 10 VUs mutex made 900 it\/s against inputq's 800 it\/s/,
  );
  assert.match(text, /lost 60 of them/);
  assert.match(text, /Yes: in all 6 steps/);
  // The other way round: inputq faster at every level, atomic slower than it, a safe step inexact.
  const other = answerLocks([
    step('mutex', 10, 500),
    step('inputq', 10, 800),
    step('atomic', 10, 700),
    step('mutex', 100, 600),
    step('inputq', 100, 3000),
    { ...step('atomic', 100, 2000), applied: 99, exact: false },
  ])
    .map((a) => a.answer)
    .join(' ');
  assert.match(other, /atomic \(2,000 it\/s at 100 VUs\) did NOT beat inputq \(3,000 it\/s\)/);
  assert.match(other, /it never beat the queue in this run, not even at 10 VUs/);
  assert.match(other, /NO in 1 of 6 steps: atomic\/redis\/100 VUs applied 99 for 100 OK/);
});
