import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { needTool } from '../testing/tools.js';
import { DEPLOY_DIR, readRules } from './artifacts.testing.js';

/**
 * The shipped Prometheus config and rules, checked by promtool: the config and rules are valid,
 * and deploy/prometheus/tests/alerts.test.yml proves every alert fires on a series built to trip
 * it and stays quiet on a healthy one. Then the proof is tested: each alert, broken so it can never
 * fire or always fires, must make the unit tests fail.
 */

const PROMTOOL = '/usr/bin/promtool';
const { skip } = needTool(PROMTOOL, 'apt-get install prometheus');
const PROM_DIR = `${DEPLOY_DIR}prometheus/`;
const UNIT_TESTS = 'tests/alerts.test.yml';

/** Runs promtool in `cwd`; resolves with whether it exited 0, and what it printed. */
function promtool(cwd: string, ...args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ ok: err === null, output: `${stdout}${stderr}` }),
    );
  });
}

interface UnitTests {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

test('promtool check config: prometheus.yml and the rule files it loads', { skip }, async () => {
  const run = await promtool(PROM_DIR, 'check', 'config', 'prometheus.yml');
  assert.ok(run.ok, run.output);
  assert.match(run.output, /SUCCESS: [1-9]\d* rule files found/);
});

test('promtool check rules: every rule file', { skip }, async () => {
  const files = (await readdir(join(PROM_DIR, 'rules'))).filter((f) => f.endsWith('.yml'));
  assert.ok(files.length >= 2, 'recording and alerting rules');
  const run = await promtool(PROM_DIR, 'check', 'rules', ...files.map((f) => `rules/${f}`));
  assert.ok(run.ok, run.output);
});

test('promtool test rules: each alert fires on its tripping series and not on a healthy one', {
  skip,
}, async () => {
  const run = await promtool(PROM_DIR, 'test', 'rules', UNIT_TESTS);
  assert.ok(run.ok, run.output);
  const unit = parse(await readFile(join(PROM_DIR, UNIT_TESTS), 'utf8')) as UnitTests;
  const ruleFiles = (await readdir(join(PROM_DIR, 'rules'))).filter((f) => f.endsWith('.yml'));
  assert.deepEqual(unit.rule_files.map((f) => f.replace('../rules/', '')).sort(), ruleFiles.sort());
  // Every alert is covered both ways: some case expects it firing, some case expects silence.
  const cases = unit.tests.flatMap((t) => t.alert_rule_test ?? []);
  const alerts = (await readRules()).filter((r) => r.alert !== undefined);
  assert.ok(alerts.length >= 6, 'error ratio, p99, queue growth, oldest order, DLQ, target down');
  for (const { alert } of alerts) {
    const mine = cases.filter((c) => c.alertname === alert);
    assert.ok(
      mine.some((c) => (c.exp_alerts ?? []).length > 0),
      `${alert}: a case where it fires`,
    );
    assert.ok(
      mine.some((c) => (c.exp_alerts ?? []).length === 0),
      `${alert}: a case where it is quiet`,
    );
  }
});

test('the unit tests catch an alert that never fires and one that always fires', { skip }, async () => {
  const shipped = await readFile(join(PROM_DIR, 'rules', 'alerts.yml'), 'utf8');
  const doc = parse(shipped) as { groups: Array<{ rules: Array<{ alert?: string; expr: string }> }> };
  const names = doc.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((n) => n !== undefined);
  const mutants = names.flatMap((name) =>
    (
      [
        ['never fires', 'vector(1) > 2'],
        ['always fires', 'vector(1)'],
      ] as const
    ).map(([how, expr]) => ({ name, how, expr })),
  );
  // Each mutant in its own copy of deploy/prometheus, all at once: promtool mostly waits.
  const outcomes = await Promise.all(
    mutants.map(async ({ name, how, expr }) => {
      const dir = await mkdtemp(join(tmpdir(), 'peaklab-promtool-'));
      try {
        await cp(PROM_DIR, dir, { recursive: true });
        const broken = structuredClone(doc);
        for (const g of broken.groups) for (const r of g.rules) if (r.alert === name) r.expr = expr;
        await writeFile(join(dir, 'rules', 'alerts.yml'), stringify(broken));
        return { name, how, ok: (await promtool(dir, 'test', 'rules', UNIT_TESTS)).ok };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }),
  );
  const survivors = outcomes.filter((o) => o.ok).map((o) => `${o.name} broken so it ${o.how}`);
  assert.deepEqual(survivors, [], 'the unit tests still pass with these alerts broken');
});
