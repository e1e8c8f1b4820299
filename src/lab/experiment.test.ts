/**
 * The orchestration on fake ports: the real scraper, drain watch, analysis and report, against
 * in-process fake services whose failures the tests choose.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { assertAnswersQuoteTheRun, claimsOf } from './checks.testing.js';
import { runSmoothCorners } from './experiment.js';
import { type FakeLab, fakeLab } from './fake-ports.testing.js';
import { SETTINGS } from './fixtures.testing.js';
import type { Progress } from './progress.js';
import type { LabSettings } from './types.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function settings(over: Partial<LabSettings> = {}): Promise<LabSettings> {
  const outDir = await mkdtemp(join(tmpdir(), 'peaklab-lab-fake-'));
  dirs.push(outDir);
  return { ...SETTINGS, periodMs: 2_000, cycles: 1, drainTimeoutMs: 1_200, outDir, ...over };
}

const notes: string[] = [];
const progress: Progress = { update() {}, note: (line) => notes.push(line), done() {} };

function assertNothingRunning(lab: FakeLab): void {
  assert.ok(lab.services.length > 0);
  for (const svc of lab.services) {
    assert.equal(svc.running, false, `${svc.mode} service still running`);
    assert.equal(svc.server.listening, false, `${svc.mode} port still open`);
  }
}

function labError(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(isPeaklabError(err, 'PL_LAB_FAILED'), `not PL_LAB_FAILED: ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  };
}

test('with fake services both modes run, outputs are written, and every service is stopped', async () => {
  const lab = fakeLab();
  const s = await settings();
  const { result, files } = await runSmoothCorners(s, { ports: lab.ports, progress });
  assert.deepEqual(lab.loads, ['shed', 'queue']);
  assert.equal(result.modes.shed.summary.rejected, 20);
  assert.equal(result.modes.queue.summary.drained, true);
  assert.ok(existsSync(files.report) && existsSync(files.results));
  assertNothingRunning(lab);
});

test('a backlog that outlasts --drain-timeout is reported as not drained, in results, answers and report', async () => {
  const lab = fakeLab({ queue: { backlogAfterLoad: 7, drainMs: Number.POSITIVE_INFINITY } });
  const s = await settings({ drainTimeoutMs: 1_200 });
  const { result, files } = await runSmoothCorners(s, { ports: lab.ports, progress });
  const q = result.modes.queue.summary;
  assert.equal(q.drained, false);
  assert.equal(q.drainSeconds, null);
  assert.equal(q.backlogAtEnd, 7);
  assert.ok(
    q.watchSeconds - q.loadSeconds >= 1.2,
    `watched ${q.watchSeconds - q.loadSeconds} s after the load`,
  );
  assertAnswersQuoteTheRun(result);
  const left = claimsOf(result).filter((c) => 'modes.queue.summary.backlogAtEnd' in c.figures);
  assert.ok(left.length > 0, 'the answers quote what was left');
  for (const c of left) assert.equal(c.figures['modes.queue.summary.backlogAtEnd'], 7);
  assert.equal(q.lost, 7, 'the in-process queue ended with the service: those orders have no row');
  const html = await readFile(files.report, 'utf8');
  const line = /backlog had NOT drained when the watch ended, ([\d.]+) s after the load: (\d+) orders/.exec(
    html,
  );
  assert.ok(line, 'the report says the drain did not finish');
  assert.equal(Number(line[1]), Number((q.watchSeconds - q.loadSeconds).toFixed(1)));
  assert.equal(Number(line[2]), q.backlogAtEnd);
  assert.match(html, /<td>drained before the watch ended<\/td><td>no queue<\/td><td>no<\/td>/);
  assert.ok(notes.some((n) => n.includes('backlog NOT drained in time')));
  assertNothingRunning(lab);
});

test('a service that exits with code 1 mid-run fails with PL_LAB_FAILED and its log, leaving nothing running', async () => {
  const lab = fakeLab({ shed: { crashDuringLoad: 1, loadMs: 600 } });
  const s = await settings();
  await assert.rejects(
    runSmoothCorners(s, { ports: lab.ports, progress }),
    labError(/shed mode: the service exited with code 1 during the run; its last lines:\n.*fake: boom/s),
  );
  assert.deepEqual(lab.loads, ['shed'], 'queue mode never started its load');
  assert.equal(existsSync(join(s.outDir, 'report.html')), false, 'no report from a failed run');
  assertNothingRunning(lab);
});

test('a service that exits non-zero after SIGTERM fails the run: its rows cannot be trusted', async () => {
  const lab = fakeLab({ queue: { stopCode: 3 } });
  const s = await settings();
  await assert.rejects(
    runSmoothCorners(s, { ports: lab.ports, progress }),
    labError(/queue mode: the service exited with code 3 after SIGTERM \(expected 0\)/),
  );
  assert.equal(existsSync(join(s.outDir, 'results.json')), false);
  assertNothingRunning(lab);
});

test('an abort during the load stops the run: PL_LAB_FAILED interrupted, nothing running, nothing written', async () => {
  const controller = new AbortController();
  const lab = fakeLab({
    shed: { loadMs: 2_000, onLoadStart: () => setTimeout(() => controller.abort(), 100) },
  });
  const s = await settings();
  const started = Date.now();
  await assert.rejects(
    runSmoothCorners(s, { ports: lab.ports, progress, signal: controller.signal }),
    labError(/shed mode: interrupted/),
  );
  assert.ok(Date.now() - started < 1_500, 'the load stopped at the abort, not at its end');
  assert.deepEqual(lab.loads, ['shed']);
  assert.equal(existsSync(join(s.outDir, 'report.html')), false);
  assertNothingRunning(lab);
});

test('an abort while queue mode waits for the drain stops the run too', async () => {
  const controller = new AbortController();
  const lab = fakeLab({
    queue: {
      backlogAfterLoad: 9,
      drainMs: Number.POSITIVE_INFINITY,
      onLoadStart: () => setTimeout(() => controller.abort(), 800),
    },
  });
  const s = await settings({ drainTimeoutMs: 10_000 });
  const started = Date.now();
  await assert.rejects(
    runSmoothCorners(s, { ports: lab.ports, progress, signal: controller.signal }),
    labError(/queue mode: interrupted/),
  );
  assert.ok(Date.now() - started < 6_000, 'it did not wait out the drain timeout');
  assert.equal(existsSync(join(s.outDir, 'report.html')), false);
  assertNothingRunning(lab);
});

test('a service that fails to start stops the one that did', async () => {
  const lab = fakeLab();
  const failing = {
    ...lab.ports,
    async startService(args: readonly string[], env: Record<string, string | undefined>) {
      if (args.includes('queue')) throw new Error('queue: cannot start');
      return lab.ports.startService(args, env);
    },
  };
  const s = await settings();
  await assert.rejects(runSmoothCorners(s, { ports: failing, progress }), /queue: cannot start/);
  assert.deepEqual(
    lab.services.map((x) => x.mode),
    ['shed'],
  );
  assertNothingRunning(lab);
});

test('a zero read just after the load does not end the drain watch: the lab waits, and counts nothing lost', async () => {
  // The service's gauge still shows the quiet moment before the last orders for 1.1 s after the load;
  // the 30 orders behind it are processed 2.5 s after the load.
  const lab = fakeLab({ queue: { loadMs: 900, backlogAfterLoad: 30, staleZeroMs: 1100, drainMs: 2500 } });
  const s = await settings({ drainTimeoutMs: 6_000 });
  const { result } = await runSmoothCorners(s, { ports: lab.ports, progress });
  const q = result.modes.queue.summary;
  assert.equal(q.accepted, 100);
  assert.equal(q.processed, 100, 'the service was stopped before its backlog was processed');
  assert.equal(q.lost, 0);
  assert.equal(q.drained, true);
  assert.equal(q.backlogAtEnd, 0);
  assert.ok((q.drainAfterLoadSeconds ?? 0) >= 2.4, `drained ${q.drainAfterLoadSeconds} s after the load`);
  assert.ok(q.watchSeconds - q.loadSeconds >= 2.5, `watched ${q.watchSeconds - q.loadSeconds} s`);
  assertNothingRunning(lab);
});

test('with a durable queue, orders still queued when the watch gives up are counted as queued, not lost', async () => {
  const lab = fakeLab({ queue: { backlogAfterLoad: 7, drainMs: Number.POSITIVE_INFINITY } });
  const s = await settings({ drainTimeoutMs: 1_200, natsUrl: 'nats://127.0.0.1:1' });
  const { result } = await runSmoothCorners(s, { ports: lab.ports, progress });
  const q = result.modes.queue.summary;
  assert.equal(q.drained, false);
  assert.equal(q.processed, 93);
  assert.equal(q.queuedAfterStop, 7, 'read from the queue after the service stopped');
  assert.equal(q.lost, 0);
  assert.equal(result.modes.shed.summary.queuedAfterStop, null, 'shed mode has no queue');
  assertNothingRunning(lab);
});

test('a backlog probe that cannot open fails the run with PL_LAB_FAILED, leaving nothing running', async () => {
  const lab = fakeLab({ queue: { probeFails: 'open' } });
  const s = await settings();
  await assert.rejects(
    runSmoothCorners(s, { ports: lab.ports, progress }),
    labError(/queue mode: cannot read the backlog: fake: NATS is down/),
  );
  assert.equal(existsSync(join(s.outDir, 'results.json')), false);
  assertNothingRunning(lab);
});

test('a backlog that can never be read is not drained and not zero: the answers say it is unknown', async () => {
  const lab = fakeLab({ queue: { probeFails: 'read' } });
  const s = await settings({ drainTimeoutMs: 0 });
  const { result } = await runSmoothCorners(s, { ports: lab.ports, progress });
  const q = result.modes.queue.summary;
  assert.equal(q.drained, false);
  assert.equal(q.backlogAtEnd, null);
  assert.equal(q.drainSeconds, null);
  assertAnswersQuoteTheRun(result);
  assert.ok(claimsOf(result).some((c) => c.figures['modes.queue.summary.backlogAtEnd'] === null));
  assertNothingRunning(lab);
});

test('a durable queue that cannot be read after the stop fails the run: its orders would look lost', async () => {
  const lab = fakeLab({
    queue: { probeFails: 'afterStop', backlogAfterLoad: 5, drainMs: Number.POSITIVE_INFINITY },
  });
  const s = await settings({ drainTimeoutMs: 0, natsUrl: 'nats://127.0.0.1:1' });
  await assert.rejects(
    runSmoothCorners(s, { ports: lab.ports, progress }),
    labError(/queue mode: cannot read the queue's backlog after the stop: fake: no answer/),
  );
  assertNothingRunning(lab);
});
