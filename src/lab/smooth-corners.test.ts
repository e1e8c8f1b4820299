/**
 * The README's main command, as a newcomer types it, on a clean environment: no DATABASE_URL, no
 * NATS_URL, so embedded PGlite and the in-process queue. One --quick run, checked several ways:
 * the seed's findings, the files, and the report in a real browser.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PEAKLAB_BIN } from '../shared/child-service.js';
import { launchChromium, needChromium } from '../testing/browser.js';
import { assertSeedFindings, readResults } from './checks.testing.js';
import type { LabResult } from './types.js';

const REPO = dirname(dirname(PEAKLAB_BIN));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  dir: string;
}

function runCli(args: readonly string[], env: Record<string, string>): Promise<Omit<Run, 'dir'>> {
  const child = spawn(process.execPath, [PEAKLAB_BIN, ...args], { cwd: REPO, env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

let run: Run;
let result: LabResult;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-lab-test-'));
  // A clean environment: what a fresh shell has, and nothing that configures a backend.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir };
  const out = await runCli(['lab', 'smooth-corners', '--quick', '--out', dir], env);
  run = { ...out, dir };
  if (out.code === 0) result = await readResults(dir);
});

after(async () => {
  if (run?.dir) await rm(run.dir, { recursive: true, force: true });
});

test('`peaklab lab smooth-corners --quick` exits 0 and writes report.html and results.json', () => {
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr.slice(-3000)}`);
  assert.ok(existsSync(join(run.dir, 'report.html')));
  assert.ok(existsSync(join(run.dir, 'results.json')));
  assert.match(run.stdout, /report: +\S+report\.html/);
  // Not a TTY: plain progress lines, with the phase, elapsed/total, rate and statuses.
  assert.match(run.stderr, /\[shed: load\] \d+s\/\d+s {2}rate \d+\/s/);
  assert.match(run.stderr, /\[queue: load\] .*200:\d+/);
});

test('with nothing configured it uses the embedded backends, and says so', () => {
  assert.deepEqual(result.backends, { database: 'pglite', queue: 'in-process' });
  assert.match(run.stderr, /in-process queue, pglite database/);
  assert.equal(result.settings.quick, true);
  assert.equal(result.modes.queue.service.stream, undefined);
});

test('shed refuses what the integral predicts; queue refuses and loses nothing, and drains', () => {
  assertSeedFindings(result);
});

test('the answers are generated from this run: they quote its numbers', () => {
  const text = result.answers.map((a) => [...a.paragraphs, ...(a.items ?? [])].join(' ')).join(' ');
  const shed = result.modes.shed.summary;
  const queue = result.modes.queue.summary;
  assert.ok(text.includes(`refused ${shed.rejected.toLocaleString('en-US')} orders`));
  assert.ok(text.includes(`lost up to ${queue.peakBacklog} accepted order`), 'the embedded queue caveat');
  assert.ok(text.includes(`processed ${queue.processed.toLocaleString('en-US')}`));
});

test(
  'report.html opens from file:// in Chromium, every chart has data; a screenshot is kept',
  needChromium(),
  async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(pathToFileURL(join(run.dir, 'report.html')).href);
      await page.waitForFunction(() =>
        Array.isArray((globalThis as { __PEAKLAB_CHARTS__?: unknown }).__PEAKLAB_CHARTS__),
      );
      const charts = await page.evaluate(
        () =>
          (globalThis as unknown as { __PEAKLAB_CHARTS__: { id: string; points: number }[] })
            .__PEAKLAB_CHARTS__,
      );
      const ids = charts.map((c) => c.id);
      for (const kind of ['status', 'work', 'rate', 'queue', 'http', 'e2e']) {
        assert.ok(ids.includes(`${kind}-shed`) && ids.includes(`${kind}-queue`), `${kind} for both modes`);
      }
      for (const c of charts) assert.ok(c.points > 0, `chart ${c.id} has no data`);
      const html = await readFile(join(run.dir, 'report.html'), 'utf8');
      assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'self-contained');
      const artifacts = join(REPO, 'artifacts');
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'lab-smooth-corners.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  },
);
