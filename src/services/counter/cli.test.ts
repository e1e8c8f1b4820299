import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../load/testing/cli.js';
import { spawnPeaklab } from '../../shared/child-service.js';
import { childEnv } from '../../testing/env.js';
import { counterClient, increment, parseTotal } from './testing/client.js';

/** `peaklab serve counter ARGS` in this process, with `env` as its whole environment. */
const run = (argv: string[], env: Record<string, string> = {}) =>
  runCli(['serve', 'counter', ...argv], { env });

test('serve counter: every bad flag at once, in one line, exit 2, before anything listens', async () => {
  const r = await run(
    ['--mode', 'turbo', '--store', 'disk', '--io-us', '-5', '--port', '70000', '--batch-max', 'x'],
    { REDIS_URL: 'http://127.0.0.1:6379', DRAIN_TIMEOUT: 'soon' },
  );
  assert.equal(r.code, 2);
  assert.match(r.err, /^peaklab: [^\n]* \(PL_CONFIG_INVALID\)\n$/, 'one line');
  const parts = [
    '--mode: "turbo" is not one of mutex, inputq, atomic, unsafe',
    '--store: "disk" is not one of memory, redis',
    '--io-us: must be at least 0',
    '--port: must be at most 65535',
    '--batch-max:',
    'REDIS_URL: "http://127.0.0.1:6379/" must start with redis://',
    'DRAIN_TIMEOUT: "soon" is not a duration',
  ];
  assert.deepEqual(
    parts.filter((p) => !r.err.includes(p)),
    [],
    r.err,
  );
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
});

test('serve counter: unsafe without --allow-unsafe is refused; equal ports are refused', async () => {
  const unsafe = await run(['--mode', 'unsafe', '--port', '0', '--metrics-port', '0']);
  assert.equal(unsafe.code, 2);
  assert.match(
    unsafe.err,
    /^peaklab: --mode unsafe loses updates on purpose; it runs only with --allow-unsafe \(PL_CONFIG_INVALID\)\n$/,
  );
  const ports = await run(['--mode', 'atomic', '--port', '5555', '--metrics-port', '5555']);
  assert.equal(ports.code, 2);
  assert.match(ports.err, /--port and --metrics-port are both 5555/);
  const unreachable = await run(
    ['--mode', 'atomic', '--store', 'redis', '--port', '0', '--metrics-port', '0'],
    {
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_TIMEOUT: '500ms',
      LOG_LEVEL: 'silent',
    },
  );
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.err, /^peaklab: Redis at 127\.0\.0\.1:1: .* \(PL_BACKEND_UNAVAILABLE\)\n$/);
});

test('serve counter: starts (unsafe with --allow-unsafe), answers, serves /metrics, stops on SIGTERM with 0', async () => {
  const svc = await spawnPeaklab(
    ['serve', 'counter', '--mode', 'unsafe', '--allow-unsafe', '--port', '0', '--metrics-port', '0'],
    { env: childEnv({ LOG_LEVEL: 'info' }) },
  );
  const address = (svc.url ?? '').replace(/^grpc:\/\//, '');
  const client = counterClient(address);
  try {
    assert.match(svc.url ?? '', /^grpc:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(parseTotal(await increment(client, 5)), 5n);
    const events = () =>
      svc.output.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : []));
    const metricsLine = events().find((e) => e.event === 'listening' && String(e.url).startsWith('http'));
    assert.ok(metricsLine, svc.output.join('\n'));
    const text = await (await fetch(`${String(metricsLine.url)}/metrics`)).text();
    assert.match(text, /^counter_value 5$/m);
    assert.match(text, /grpc_server_handled_total\{[^}]*grpc_code="OK"[^}]*\} 1/);
    assert.match(String(events().find((e) => e.event === 'backends')?.mode), /NOT exact/);
    assert.equal(await svc.stop('SIGTERM'), 0, svc.output.slice(-5).join('\n'));
    assert.ok(
      events().some((e) => e.event === 'stopped'),
      'logged a clean stop',
    );
  } finally {
    client.close();
    await svc.stop('SIGKILL');
  }
});

test('serve counter: SIGTERM drains the calls in flight, every one answered, then exits 0', async () => {
  // mutex with 5 ms of I/O per increment: 30 calls queue behind the lock for about 150 ms.
  const svc = await spawnPeaklab(
    ['serve', 'counter', '--mode', 'mutex', '--io-us', '5000', '--port', '0', '--metrics-port', '0'],
    { env: childEnv({ LOG_LEVEL: 'info' }) },
  );
  const client = counterClient((svc.url ?? '').replace(/^grpc:\/\//, ''));
  try {
    await increment(client, 1);
    const calls = Array.from({ length: 30 }, () => increment(client, 1).then(parseTotal));
    // Every call has reached the server (and queues for the lock) before the signal.
    const line = svc.output.find((l) => l.includes('"event":"listening"') && l.includes('"url":"http'));
    const metrics = `${String((JSON.parse(line ?? '{}') as { url?: string }).url)}/metrics`;
    for (let i = 0; i < 500; i++) {
      const text = await (await fetch(metrics)).text();
      if (/^grpc_server_started_total\{[^}]*\} 31$/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const code = svc.stop('SIGTERM');
    const totals = await Promise.all(calls);
    assert.deepEqual(
      [...totals].sort((a, b) => Number(a - b)),
      Array.from({ length: 30 }, (_, i) => BigInt(i + 2)),
    );
    assert.equal(await code, 0, svc.output.slice(-5).join('\n'));
  } finally {
    client.close();
    await svc.stop('SIGKILL');
  }
});
