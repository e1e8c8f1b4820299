import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  HEADER,
  placeholder,
  renderDocument,
  renderSection,
  type SuiteRun,
  sectionsOf,
  verdictsOf,
} from '../../bench/benchmarks-md.js';
import { SUITES } from '../../bench/run.js';
import { flag, textFlag } from '../../bench/stats.js';
import { REPO_DIR } from './artifacts.testing.js';

/**
 * BENCHMARKS.md is written by bench/run.ts --write (bench/benchmarks-md.ts): one section per suite
 * between markers, so one suite's run replaces only its own section, and a run on a busy machine is
 * labelled "not a result". And the committed file holds nothing but what the writer produces.
 */

function run(over: Partial<SuiteRun> = {}): SuiteRun {
  return {
    name: 'orders',
    command: 'npm run bench -- --write orders',
    startedAt: new Date('2026-11-30T16:00:00Z'),
    seconds: 95,
    loadBefore: [0.9, 1.1, 1.2],
    loadAfter: [2.5, 1.6, 1.3],
    busyCoresBefore: 0.4,
    maxLoad: 1.5,
    throttled: false,
    output:
      '| target | ratio |\n|---|---|\n| direct | 0.51× |\n\ntarget direct ≥ 0.5× of bare: met\ntarget queue ≥ 0.5× of bare: not met\n',
    exitCode: 0,
    stderrTail: '',
    ...over,
  };
}

test('a section states command, UTC date, load before and after, the output and its verdicts', () => {
  const s = renderSection(run());
  assert.match(s, /^## orders\n/);
  assert.match(s, /Command: `npm run bench -- --write orders`/);
  assert.match(s, /2026-11-30 16:00 UTC/);
  assert.match(s, /before: 0\.90, 1\.10, 1\.20; after: 2\.50, 1\.60, 1\.30/);
  assert.match(s, /\| direct \| 0\.51× \|/);
  assert.match(
    s,
    /Verdicts:\n\n- target direct ≥ 0\.5× of bare: met\n- target queue ≥ 0\.5× of bare: not met$/,
  );
  assert.doesNotMatch(s, /not a result/);
  assert.deepEqual(verdictsOf('| a: met |\nx: met\ny: NOT met\nz: metric'), ['x: met', 'y: NOT met']);
});

test('a run on a busy machine, or a failed one, is labelled not a result, verdicts included', () => {
  const s = renderSection(run({ throttled: true, loadBefore: [2.31, 2, 2] }));
  assert.match(s, /\*\*Measured at load average 2\.31: not a result\.\*\*/);
  assert.match(s, /- target direct ≥ 0\.5× of bare: met \(not a result: see above\)/);
  const f = renderSection(run({ exitCode: 1, output: '', stderrTail: 'Error: boom' }));
  assert.match(f, /failed \(exit code 1\): not a result/);
  assert.match(f, /Error: boom/);
  assert.match(f, /- none: this suite states no target\./);
});

test('writing one suite replaces only its section, keeps the others, and drops text outside markers', () => {
  const first = renderDocument(['orders', 'load'], new Map([['load', '## load\n\nold load']]), '');
  assert.ok(first.startsWith(HEADER));
  assert.equal(sectionsOf(first).get('orders'), placeholder('orders'));
  const edited = `${first}\nhand-written numbers\n<!-- bench:gone -->\n## gone\n<!-- /bench:gone -->\n`;
  const second = renderDocument(['orders', 'load'], new Map([['orders', renderSection(run())]]), edited);
  const sections = sectionsOf(second);
  assert.deepEqual([...sections.keys()], ['orders', 'load']);
  assert.equal(sections.get('load'), '## load\n\nold load');
  assert.equal(sections.get('orders'), renderSection(run()));
  assert.doesNotMatch(second, /hand-written|gone/);
  // Idempotent: rendering what is there reproduces it byte for byte.
  assert.equal(renderDocument(['orders', 'load'], new Map(), second), second);
});

test('BENCHMARKS.md is exactly what `npm run bench -- --write` produces', async () => {
  const doc = await readFile(join(REPO_DIR, 'BENCHMARKS.md'), 'utf8');
  const names = SUITES.map((s) => s.name);
  for (const name of sectionsOf(doc).keys()) assert.ok(names.includes(name), `${name} is not in SUITES`);
  // A suite added to SUITES since the last --write has no section yet: that is not hand-written text.
  const present = names.filter((n) => sectionsOf(doc).has(n));
  assert.equal(doc, renderDocument(present, new Map(), doc), 'regenerate: npm run bench -- --write');
});

test('the nats-sync bench runs the shipped NATS config, differing only in port, store and the sync line', async () => {
  const { privateConfig } = await import('../../bench/nats-sync.js');
  const shipped = await readFile(join(REPO_DIR, 'deploy/nats/nats-server.conf'), 'utf8');
  const always = privateConfig(shipped, { port: 4999, dir: '/x/y', sync: true });
  const dflt = privateConfig(shipped, { port: 4999, dir: '/x/y', sync: false });
  for (const conf of [always, dflt]) {
    assert.match(conf, /^listen: 127\.0\.0\.1:4999$/m);
    assert.match(conf, /^\s*store_dir: "\/x\/y"$/m);
    assert.doesNotMatch(conf, /^http:|0\.0\.0\.0|\/data/m);
  }
  assert.match(always, /^\s*sync_interval: always$/m);
  assert.doesNotMatch(dflt, /^\s*sync_interval/m);
  // Nothing else differs between the two.
  assert.equal(always.replace(/^\s*sync_interval: always$/m, ''), dflt);
});

test('suite flags: numbers must be positive, a text flag needs a value, an absent one is the default', () => {
  assert.equal(flag(['--rounds=3'], 'rounds', 5), 3);
  assert.equal(flag([], 'rounds', 5), 5);
  assert.throws(() => flag(['--rounds=0'], 'rounds', 5), /--rounds must be a positive number/);
  assert.throws(() => flag(['--rounds=x'], 'rounds', 5), /--rounds must be a positive number/);
  assert.equal(textFlag(['--node=/opt/node/bin/node'], 'node'), '/opt/node/bin/node');
  assert.equal(textFlag(['--nodes=1'], 'node'), undefined);
  assert.throws(() => textFlag(['--node='], 'node'), /--node needs a value/);
});
