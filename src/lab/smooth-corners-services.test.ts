/**
 * The experiment on the real backends: NATS JetStream and Postgres, driven in process through the CLI's
 * main(), so the load runs here and the service in its own process. Each run names its own schemas and
 * streams (unique per run); this test drops them afterwards.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { main } from '../cli/main.js';
import { needChromium } from '../testing/browser.js';
import { needService } from '../testing/services.js';
import { JETSTREAM_BACKLOG_SOURCE } from './backlog-probes.js';
import { checkReportInBrowser } from './browser-check.testing.js';
import {
  assertAnswersQuoteTheCounts,
  assertAnswersQuoteTheRun,
  assertSeedFindings,
  readResults,
} from './checks.testing.js';
import { deleteStreams, dropSchemas, streamMessages } from './cleanup.testing.js';
import type { LabResult } from './types.js';

const postgres = await needService('postgres');
const nats = await needService('nats');
const skip = postgres.skip || nats.skip;
const chromium = needChromium();

let dir = '';
let code = -1;
let stderr = '';
let result: LabResult | undefined;

/** The run's results, or one clear failure (exit code and stderr) instead of TypeErrors later. */
function ran(): LabResult {
  assert.equal(code, 0, `peaklab lab smooth-corners exited ${code}; stderr:\n${stderr.slice(-3000)}`);
  assert.ok(result, 'no results.json');
  return result;
}

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'peaklab-lab-services-'));
  const err = new PassThrough();
  err.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const out = new PassThrough();
  out.resume();
  code = await main(['node', 'peaklab', 'lab', 'smooth-corners', '--quick', '--out', dir], {
    env: { DATABASE_URL: postgres.url, NATS_URL: nats.url },
    out,
    err,
  });
  if (code === 0) result = await readResults(dir);
});

after(async () => {
  if (skip) return;
  const services = result ? Object.values(result.modes).map((m) => m.service) : [];
  const schemas = services.flatMap((s) => (s.schema ? [s.schema] : []));
  const streams = services.flatMap((s) => (s.stream ? [s.stream] : []));
  await dropSchemas(postgres.url, schemas);
  await deleteStreams(nats.url, streams);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('with DATABASE_URL and NATS_URL it runs on Postgres and JetStream, each mode in its own schema and stream', {
  skip,
}, async () => {
  const result = ran();
  assert.deepEqual(result.backends, { database: 'postgres', queue: 'jetstream' });
  const { shed, queue } = result.modes;
  assert.ok(shed.service.schema && queue.service.schema && shed.service.schema !== queue.service.schema);
  assert.ok(queue.service.stream?.startsWith('LAB_'));
  assert.match(queue.service.args.join(' '), /--stream LAB_\S+ .*|--stream LAB_\S+$/);
  // Work-queue retention: every acknowledged order has left the stream once the backlog drained.
  assert.equal(await streamMessages(nats.url, queue.service.stream ?? ''), 0);
});

test('on the real backends: shed refuses what the integral predicts, queue loses nothing and drains', {
  skip,
}, () => {
  const result = ran();
  assertSeedFindings(result);
  assertAnswersQuoteTheRun(result);
  assertAnswersQuoteTheCounts(result);
  assert.equal(result.modes.queue.backlogSource, JETSTREAM_BACKLOG_SOURCE, 'read from the consumer itself');
  assert.equal(result.modes.queue.summary.queuedAfterStop, 0, 'the stream was empty after the stop');
});

test('on the real backends, report.html opens in Chromium, its charts show the findings; a screenshot is kept', {
  skip: skip || chromium.skip,
}, async () => {
  const shot = await checkReportInBrowser(dir, ran(), 'lab-smooth-corners-services.png');
  assert.ok(shot.endsWith('lab-smooth-corners-services.png'));
});
