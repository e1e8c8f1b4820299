/**
 * A lab run on Postgres and JetStream that stops queue mode's service before its backlog has drained
 * (--drain-timeout 0, a slow backend): the orders left in JetStream are counted from the consumer after
 * the stop, the rows from the database, and none of them is reported lost.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { main } from '../cli/main.js';
import { needService } from '../testing/services.js';
import { readResults } from './checks.testing.js';
import { deleteStreams, dropSchemas, streamMessages } from './cleanup.testing.js';
import type { LabResult } from './types.js';

const postgres = await needService('postgres');
const nats = await needService('nats');
const skip = postgres.skip || nats.skip;

let dir = '';
let code = -1;
let stderr = '';
let result: LabResult | undefined;
/** Messages in queue mode's stream, read by this test after the run. */
let inStream = -1;

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'peaklab-lab-undrained-'));
  const err = new PassThrough();
  err.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const out = new PassThrough();
  out.resume();
  const flags = ['--period', '2s', '--cycles', '1', '--process-rps', '10', '--drain-timeout', '0s'];
  code = await main(['node', 'peaklab', 'lab', 'smooth-corners', ...flags, '--out', dir], {
    env: { DATABASE_URL: postgres.url, NATS_URL: nats.url },
    out,
    err,
  });
  if (code === 0) result = await readResults(dir);
  const stream = result?.modes.queue.service.stream;
  if (stream) inStream = await streamMessages(nats.url, stream);
});

after(async () => {
  if (skip) return;
  const services = result ? Object.values(result.modes).map((m) => m.service) : [];
  await dropSchemas(
    postgres.url,
    services.flatMap((s) => (s.schema ? [s.schema] : [])),
  );
  await deleteStreams(
    nats.url,
    services.flatMap((s) => (s.stream ? [s.stream] : [])),
  );
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('orders still in JetStream when the service stops are counted there, from the consumer, not as lost', {
  skip,
}, () => {
  assert.equal(code, 0, `peaklab lab smooth-corners exited ${code}; stderr:\n${stderr.slice(-3000)}`);
  assert.ok(result);
  const q = result.modes.queue.summary;
  const detail = JSON.stringify(q);
  assert.equal(q.drained, false, `a 10 orders/s backend drained ~100 orders in no time: ${detail}`);
  assert.ok(inStream > 0, 'the stream still holds orders');
  assert.equal(q.queuedAfterStop, inStream, 'the lab’s count after the stop is the stream’s');
  assert.equal(q.lost, 0, detail);
  assert.equal(q.processed + inStream, q.acknowledged, `rows + queued = acknowledged: ${detail}`);
  assert.equal(q.acknowledged, q.accepted, 'the service and the load generator agree on the 200s');
});
