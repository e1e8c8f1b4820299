/**
 * The JetStream backlog probe and the drain watch against a real NATS server: what the consumer itself
 * says is waiting or in a worker's hands, and a drain declared only once every message was acknowledged.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AckPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { isPeaklabError } from '../shared/errors.js';
import { needService, uniqueName } from '../testing/services.js';
import { openJetStreamBacklog } from './backlog-probes.js';
import { DRAIN_CONFIRM_AFTER_LOAD_MS, startBacklogWatch } from './backlog-watch.js';

const nats = await needService('nats');
const skip = nats.skip;

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const streams: string[] = [];

before(async () => {
  if (skip) return;
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
});

after(async () => {
  if (skip) return;
  for (const s of streams) await jsm.streams.delete(s).catch(() => false);
  await nc.close();
});

/** A work-queue stream like the orders service's, with `messages` published; `consumer` adds its pull consumer. */
async function workQueue(messages: number, consumer = true): Promise<string> {
  const name = uniqueName('LAB_PROBE').toUpperCase();
  streams.push(name);
  await jsm.streams.add({ name, subjects: [`${name}.new`], retention: RetentionPolicy.Workqueue });
  if (consumer) await jsm.consumers.add(name, { durable_name: 'workers', ack_policy: AckPolicy.Explicit });
  for (let i = 0; i < messages; i++) await js.publish(`${name}.new`, `order ${i}`);
  return name;
}

async function streamMessages(name: string): Promise<number> {
  return (await jsm.streams.info(name)).state.messages;
}

test('the probe reads num_pending + num_ack_pending: delivered but unacknowledged orders still count', {
  skip,
}, async () => {
  const stream = await workQueue(6);
  const probe = await openJetStreamBacklog(nats.url, stream);
  try {
    assert.equal(probe.durable, true);
    assert.equal(await probe.read(), 6);
    const consumer = await js.consumers.get(stream, 'workers');
    const held = [];
    for await (const m of await consumer.fetch({ max_messages: 2, expires: 2000 })) {
      held.push(m);
      if (held.length === 2) break;
    }
    assert.equal(held.length, 2);
    assert.equal(await probe.read(), 6, 'two in a worker’s hands are still the backlog');
    await held[0]?.ackAck();
    assert.equal(await probe.read(), 5);
    held[1]?.nak(60_000);
    await nc.flush();
    assert.equal(await probe.read(), 5, 'a nak’d order waits for its redelivery: still the backlog');
    assert.equal(await streamMessages(stream), 5, 'and the stream agrees');
  } finally {
    await probe.close();
  }
});

test('a stream with no consumer yet counts its messages; a missing stream is an error, not a zero', {
  skip,
}, async () => {
  const stream = await workQueue(3, false);
  const probe = await openJetStreamBacklog(nats.url, stream);
  try {
    assert.equal(await probe.read(), 3);
    await jsm.streams.delete(stream);
    await assert.rejects(probe.read());
  } finally {
    await probe.close();
  }
});

test('an unreachable NATS fails to open with PL_BACKEND_UNAVAILABLE, within its connect timeout', {
  skip,
}, async () => {
  const started = Date.now();
  await assert.rejects(openJetStreamBacklog('nats://127.0.0.1:1', 'NOPE'), (err) =>
    isPeaklabError(err, 'PL_BACKEND_UNAVAILABLE'),
  );
  assert.ok(Date.now() - started < 6_000);
});

test('the drain watch on a real consumer ends only when every order was acknowledged', { skip }, async () => {
  const stream = await workQueue(5);
  const probe = await openJetStreamBacklog(nats.url, stream);
  const startedAt = Date.now();
  const watch = startBacklogWatch(probe, startedAt, { intervalMs: 200 });
  let acked = 0;
  // A slow worker: it starts 1.2 s after the "load" and acknowledges one order every 300 ms.
  const worker = (async () => {
    await new Promise((r) => setTimeout(r, 1200));
    const consumer = await js.consumers.get(stream, 'workers');
    while (acked < 5) {
      for await (const m of await consumer.fetch({ max_messages: 1, expires: 1000 })) {
        await new Promise((r) => setTimeout(r, 300));
        await m.ackAck();
        acked++;
      }
    }
  })();
  try {
    const drained = await watch.untilDrained(0, 15_000, new AbortController().signal);
    assert.equal(drained, true);
    assert.equal(acked, 5, 'declared drained before every order was acknowledged');
    assert.equal(await streamMessages(stream), 0);
    assert.ok(Date.now() - startedAt >= DRAIN_CONFIRM_AFTER_LOAD_MS);
    assert.ok(
      watch.readings.some((r) => (r.depth ?? 0) > 0),
      'the backlog was seen before it drained',
    );
  } finally {
    await watch.stop();
    await worker;
    await probe.close();
  }
});
