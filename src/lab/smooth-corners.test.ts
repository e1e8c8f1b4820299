/**
 * The README's command, as a newcomer types it, on a clean environment: no DATABASE_URL, no NATS_URL,
 * so embedded PGlite and the in-process queue. One `--quick --open` run (the opener is a stand-in that
 * records what it was given), checked several ways: the seed's findings, the files, and the report in
 * a real browser.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { PEAKLAB_BIN } from '../shared/child-service.js';
import { needChromium } from '../testing/browser.js';
import { METRICS_BACKLOG_SOURCE } from './backlog-probes.js';
import { checkReportInBrowser } from './browser-check.testing.js';
import {
  assertAnswersQuoteTheCounts,
  assertAnswersQuoteTheRun,
  assertSeedFindings,
  readResults,
} from './checks.testing.js';
import type { LabResult } from './types.js';

const REPO = dirname(dirname(PEAKLAB_BIN));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  dir: string;
  bin: string;
  wallS: number;
}

function runCli(args: readonly string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [PEAKLAB_BIN, ...args], { cwd: REPO, env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
}

let run: Run | undefined;
let result: LabResult | undefined;

/** The run, or one clear failure (exit code and stderr) instead of TypeErrors in every test. */
function ran(): { run: Run; result: LabResult } {
  assert.ok(run, 'the CLI did not run');
  assert.equal(
    run.code,
    0,
    `peaklab lab smooth-corners exited ${run.code}; stderr:\n${run.stderr.slice(-3000)}`,
  );
  assert.ok(result, 'no results.json');
  return { run, result };
}

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-lab-test-'));
  const bin = await mkdtemp(join(tmpdir(), 'peaklab-lab-bin-'));
  await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${join(bin, 'opened.txt')}'\n`);
  await chmod(join(bin, 'xdg-open'), 0o755);
  // A clean environment: what a fresh shell has, and nothing that configures a backend.
  const env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? dir };
  const started = Date.now();
  const out = await runCli(['lab', 'smooth-corners', '--quick', '--open', '--out', dir], env);
  run = { ...out, dir, bin, wallS: (Date.now() - started) / 1000 };
  if (out.code === 0) result = await readResults(dir);
});

after(async () => {
  if (run?.dir) await rm(run.dir, { recursive: true, force: true });
  if (run?.bin) await rm(run.bin, { recursive: true, force: true });
});

test('`peaklab lab smooth-corners --quick --open` exits 0, writes both files and opens the report', async (t) => {
  const { run } = ran();
  t.diagnostic(`--quick took ${run.wallS.toFixed(1)} s of wall time`);
  assert.ok(existsSync(join(run.dir, 'report.html')));
  assert.ok(existsSync(join(run.dir, 'results.json')));
  assert.match(run.stdout, /report: +\S+report\.html/);
  // Not a TTY: plain progress lines, with the phase, elapsed/total, rate and statuses.
  assert.match(run.stderr, /\[shed: load\] \d+s\/\d+s {2}rate \d+\/s/);
  assert.match(run.stderr, /\[queue: load\] .*200:\d+/);
  let opened = '';
  for (let i = 0; i < 50 && !opened; i++) {
    opened = await readFile(join(run.bin, 'opened.txt'), 'utf8').catch(() => '');
    if (!opened) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(opened, join(run.dir, 'report.html'), 'the opener got the report');
});

test('with nothing configured it uses the embedded backends, and says so', () => {
  const { run, result } = ran();
  assert.deepEqual(result.backends, { database: 'pglite', queue: 'in-process' });
  assert.match(run.stderr, /in-process queue, pglite database/);
  assert.equal(result.settings.quick, true);
  assert.equal(result.modes.queue.service.stream, undefined);
});

test('shed refuses what the integral predicts; queue refuses and loses nothing, and drains', () => {
  assertSeedFindings(ran().result);
});

test('the answers quote this run’s numbers, each traced to results.json, and say what each claim rests on', () => {
  const { result } = ran();
  assertAnswersQuoteTheRun(result);
  assertAnswersQuoteTheCounts(result);
  assert.equal(result.modes.queue.backlogSource, METRICS_BACKLOG_SOURCE);
  const p99 = result.modes.queue.serverLatency['200']?.p99Ms;
  assert.ok(p99 !== null && p99 !== undefined, 'the service’s own latency of 200s was scraped');
});

test('the service’s own per-second metrics are in results.json: statuses, end-to-end mean, heap', () => {
  const { result } = ran();
  const { shed, queue } = result.modes;
  const sum = (rows: typeof shed.timeline, status: string) =>
    rows.reduce((a, r) => a + (r.serverStatus?.[status] ?? 0), 0);
  assert.ok(sum(shed.timeline, '500') > 0, 'the service counted its refusals per second');
  assert.equal(sum(queue.timeline, '500'), 0);
  assert.equal(shed.serverStatus['500'], shed.summary.rejected, 'the service and the load generator agree');
  assert.ok(queue.timeline.some((r) => (r.serverE2eMeanMs ?? 0) > 0));
  assert.ok(queue.timeline.some((r) => (r.heapMb ?? 0) > 0));
});

test(
  'report.html opens from file:// in Chromium, its charts show the findings; a screenshot is kept',
  needChromium(),
  async () => {
    const { run, result } = ran();
    const shot = await checkReportInBrowser(run.dir, result, 'lab-smooth-corners.png');
    assert.ok(existsSync(shot));
  },
);
