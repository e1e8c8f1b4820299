import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logger.js';
import { needService, uniqueName } from '../../testing/services.js';
import { startTcpProxy } from '../../testing/tcp-proxy.js';
import { createRuntime } from '../runtime.js';
import { openRedis } from './redis.js';

const gate = await needService('redis');

/** Takes one unit of stock if any is left: the flash sale's never-oversold step, atomically. */
const TAKE = `
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left < tonumber(ARGV[1]) then return -1 end
return redis.call('DECRBY', KEYS[1], ARGV[1])`;

const runtime = () => createRuntime({ name: 'redis-test', logger: silentLogger(), defaultMetrics: false });

test('redis: scripts are loaded once and run by SHA, also after the server forgot them', {
  skip: gate.skip,
}, async () => {
  const rt = runtime();
  const key = uniqueName('stock');
  const redis = await openRedis(rt, { url: gate.url, scripts: { take: TAKE } });
  try {
    await redis.client.set(key, '3');
    const taken = [];
    for (let i = 0; i < 5; i++) taken.push(await redis.runScript('take', [key], [1]));
    assert.deepEqual(taken, [2, 1, 0, -1, -1], 'never below zero');
    // The server's script cache is emptied (as by a restart): NOSCRIPT, then loaded again.
    await redis.client.script('FLUSH');
    await redis.client.set(key, '1');
    assert.equal(await redis.runScript('take', [key], [1]), 0);
    await assert.rejects(redis.runScript('missing', [key], []), /no script named missing/);
    assert.deepEqual(await rt.readiness.check(), { ready: true });
  } finally {
    await redis.client.del(key);
    assert.equal((await rt.lifecycle.shutdown()).clean, true);
  }
  assert.equal(redis.client.status, 'end', 'closed by the lifecycle');
});

test('redis: an unreachable server is PL_BACKEND_UNAVAILABLE naming it, within the connect timeout', async () => {
  const started = Date.now();
  await assert.rejects(
    openRedis(runtime(), { url: 'redis://127.0.0.1:1', connectTimeoutMs: 1000 }),
    (err: unknown) =>
      isPeaklabError(err, 'PL_BACKEND_UNAVAILABLE') && /Redis at 127\.0\.0\.1:1/.test(err.message),
  );
  assert.ok(Date.now() - started < 3000);
});

test('redis: a stalled server fails commands within the command timeout and is not ready', {
  skip: gate.skip,
}, async () => {
  const target = new URL(gate.url);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
  const rt = runtime();
  const redis = await openRedis(rt, {
    url: `redis://127.0.0.1:${proxy.port}`,
    scripts: { take: TAKE },
    commandTimeoutMs: 300,
  });
  try {
    proxy.stall();
    const started = Date.now();
    await assert.rejects(redis.runScript('take', ['x'], [1]), /timed out/);
    await assert.rejects(redis.client.get('x'), /timed out/);
    assert.ok(Date.now() - started < 2000, `failed within the timeout (${Date.now() - started} ms)`);
    const ready = await rt.readiness.check(1000);
    assert.equal(ready.ready, false);
    assert.match(ready.reason ?? '', /^redis: /);
  } finally {
    proxy.resume();
    await rt.lifecycle.shutdown();
    await proxy.cut();
  }
});
