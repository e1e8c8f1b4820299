import assert from 'node:assert/strict';
import { connect as h2connect } from 'node:http2';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { Client, credentials, type ServiceError, status } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { check, healthClient } from '../../platform/grpc/testing/health-client.js';
import { sampleSum } from '../../platform/grpc/testing/prom.js';
import { needService, uniqueName } from '../../testing/services.js';
import { type RunningCounter, startCounter } from './service.js';
import { counterClient, increment, parseTotal } from './testing/client.js';
import { INT64_MAX } from './total.js';

const PATH = '/counter.incrementCounter/increment';
const gate = await needService('redis');

let counter: RunningCounter;
before(async () => {
  // mutex with 20 ms of I/O per increment: calls queue up, so a client can hang up mid-call.
  counter = await startCounter({ mode: 'mutex', store: 'memory', ioUs: 20_000, port: 0, metricsPort: 0 });
});
after(() => counter.close());

/** A call with raw bytes as its message, through grpc-js's generic client. Resolves to the code. */
function rawCall(address: string, path: string, body: Buffer): Promise<{ code: number; details: string }> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      { deadline: Date.now() + 10_000 },
      (err: ServiceError | null) => {
        client.close();
        resolve(err ? { code: err.code, details: err.details } : { code: status.OK, details: '' });
      },
    );
  });
}

/**
 * Sends `bytes` on a raw TCP connection and reports how the server reacted: a GOAWAY frame with
 * its error code (nghttp2's answer to a connection error; Node then leaves the socket for the
 * peer to close, bounded by the keep-alive and idle timeouts), "closed", or "nothing" after 5 s.
 */
function reaction(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const done = (what: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done('nothing'), 5000);
    socket.on('error', () => {});
    socket.on('close', () => done('closed'));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // HTTP/2 frames: 3 bytes length, 1 type, 1 flags, 4 stream id, then the payload.
      for (let at = 0; at + 9 <= received.length; ) {
        const length = received.readUIntBE(at, 3);
        if (received[at + 3] === 0x07 && at + 9 + 8 <= received.length) {
          return done(`goaway:${received.readUInt32BE(at + 9 + 4)}`);
        }
        at += 9 + length;
      }
    });
  });
}

async function stillServes(): Promise<void> {
  const client = counterClient(counter.address);
  try {
    assert.match(await increment(client, 1), /^Incremented value is \d+$/);
  } finally {
    client.close();
  }
  const health = healthClient(counter.address);
  assert.equal(await check(health, 'counter.incrementCounter'), 'SERVING');
  health.close();
}

test('a negative value is INVALID_ARGUMENT "Value cannot be negative"', async () => {
  const client = counterClient(counter.address);
  try {
    await assert.rejects(increment(client, -1), (err: ServiceError) => {
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.equal(err.details, 'Value cannot be negative');
      return true;
    });
    await assert.rejects(increment(client, -2147483648), { code: status.INVALID_ARGUMENT });
  } finally {
    client.close();
  }
});

test('unknown methods and services are UNIMPLEMENTED; hostile messages get a status, not a crash', async () => {
  const addr = counter.address;
  assert.equal(
    (await rawCall(addr, '/counter.incrementCounter/decrement', Buffer.alloc(0))).code,
    status.UNIMPLEMENTED,
  );
  assert.equal((await rawCall(addr, '/counter.Nope/increment', Buffer.alloc(0))).code, status.UNIMPLEMENTED);
  assert.equal((await rawCall(addr, '/', Buffer.alloc(0))).code, status.UNIMPLEMENTED);
  // Over the 4 KiB receive limit (the real message is at most 6 bytes).
  assert.equal((await rawCall(addr, PATH, Buffer.alloc(8192, 0x08))).code, status.RESOURCE_EXHAUSTED);
  // Wire type 7 does not exist: the message cannot be decoded.
  const garbage = await rawCall(addr, PATH, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
  assert.notEqual(garbage.code, status.OK);
  // An empty message is proto3's default: value 0, a valid increment by nothing.
  assert.equal((await rawCall(addr, PATH, Buffer.alloc(0))).code, status.OK);
  await stillServes();
});

test('the server survives malformed HTTP/2: garbage, broken frames, HTTP/1.1', async () => {
  const port = Number(counter.address.split(':').pop());
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  const settings = Buffer.from([0, 0, 0, 0x04, 0, 0, 0, 0, 0]);
  const frame = (bytes: number[]) => Buffer.concat([preface, settings, Buffer.from(bytes)]);
  const FRAME_SIZE_ERROR = 'goaway:6';
  const PROTOCOL_ERROR = 'goaway:1';
  const COMPRESSION_ERROR = 'goaway:9';
  // SETTINGS must be a multiple of 6 bytes long.
  assert.equal(
    await reaction(
      port,
      Buffer.concat([preface, Buffer.from([0, 0, 5, 0x04, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5])]),
    ),
    FRAME_SIZE_ERROR,
  );
  // A frame longer than the 16 KiB the server allows.
  assert.equal(await reaction(port, frame([0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1])), FRAME_SIZE_ERROR);
  // DATA on a stream that was never opened.
  assert.equal(await reaction(port, frame([0, 0, 2, 0, 0, 0, 0, 0, 1, 9, 9])), PROTOCOL_ERROR);
  // HEADERS whose HPACK block is junk.
  assert.equal(
    await reaction(port, frame([0, 0, 4, 0x01, 0x04, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])),
    COMPRESSION_ERROR,
  );
  // Not HTTP/2 at all: refused, one way or the other.
  assert.match(
    await reaction(port, Buffer.from('\x00\x01garbage that is not a preface\r\n\r\n')),
    /^(closed|goaway:\d+)$/,
  );
  assert.match(
    await reaction(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
    /^(closed|goaway:\d+)$/,
  );
  await stillServes();
});

test('clients that hang up mid-call: one outcome each, and the counter stays consistent', async () => {
  // Its own server: mutex with 200 ms of I/O, so ten calls take two seconds to get through the lock
  // and a client can hang up while its call waits.
  const slow = await startCounter({ mode: 'mutex', store: 'memory', ioUs: 200_000, port: 0, metricsPort: 0 });
  const scrapeSlow = async () => (await fetch(`${slow.metricsUrl}/metrics`)).text();
  const inc = { grpc_method: 'increment' };
  try {
    // 1. Headers and 3 bytes of the 5-byte message prefix, then the connection is destroyed.
    const session = h2connect(`http://${slow.address}`);
    session.on('error', () => {});
    const req = session.request({
      ':method': 'POST',
      ':path': PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    req.on('error', () => {});
    req.write(Buffer.from([0, 0, 0]));
    await waitFor(async () => sampleSum(await scrapeSlow(), 'grpc_server_started_total', inc) === 1);
    session.destroy();
    // 2. Whole requests, cancelled while they wait for the lock.
    const client = counterClient(slow.address);
    const calls = Array.from({ length: 10 }, () =>
      client.increment({ value: 1 }, { deadline: Date.now() + 30_000 }, () => {}),
    );
    await waitFor(async () => sampleSum(await scrapeSlow(), 'grpc_server_started_total', inc) === 11);
    for (const c of calls) c.cancel();
    client.close();
    await waitFor(async () => sampleSum(await scrapeSlow(), 'counter_pending') === 0);

    const text = await scrapeSlow();
    const handled = (code?: string) =>
      sampleSum(text, 'grpc_server_handled_total', code ? { ...inc, grpc_code: code } : inc);
    // Every call has exactly one outcome.
    assert.equal(handled(), 11);
    // The torn request never delivered a message: grpc-js ends such a unary call UNIMPLEMENTED.
    assert.equal(handled('Unimplemented'), 1);
    assert.equal(handled('Canceled') + handled('OK'), 10);
    assert.ok(
      handled('Canceled') >= 5,
      `only ${handled('Canceled')} of 10 calls were still waiting when cancelled`,
    );
    // A cancelled call's increment was already queued at the lock, and it still applies: the client
    // hung up, not the counter (as with any RPC, a caller that hangs up cannot know). The torn one
    // applied nothing. So the total is exactly 10, and the next reply says 11.
    assert.equal(sampleSum(text, 'counter_value'), 10);
    const c2 = counterClient(slow.address);
    assert.equal(parseTotal(await increment(c2, 1)), 11n);
    c2.close();
  } finally {
    await slow.close();
  }
  await stillServes();
});

test('overflow over Redis: OUT_OF_RANGE in every safe mode, and the key is left as it was', {
  skip: gate.skip,
}, async () => {
  const redis = new Redis(gate.url, { stringNumbers: true, maxRetriesPerRequest: 1 });
  try {
    // mutex adds in BigInt and refuses before its SET; atomic and inputq get INCRBY's own error.
    for (const mode of ['mutex', 'inputq', 'atomic'] as const) {
      const redisKey = uniqueName('counter_overflow');
      const ctr = await startCounter({
        mode,
        store: 'redis',
        redisUrl: gate.url,
        redisKey,
        port: 0,
        metricsPort: 0,
      });
      const client = counterClient(ctr.address);
      try {
        await redis.set(redisKey, (INT64_MAX - 1n).toString());
        await assert.rejects(increment(client, 5), (err: ServiceError) => {
          assert.equal(err.code, status.OUT_OF_RANGE, mode);
          return true;
        });
        assert.equal(await redis.get(redisKey), (INT64_MAX - 1n).toString(), mode);
        assert.equal(parseTotal(await increment(client, 1)), INT64_MAX, mode);
      } finally {
        client.close();
        await ctr.close();
        await redis.del(redisKey);
      }
    }
  } finally {
    redis.disconnect();
  }
});

async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
