import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from '../../load/mod.js';
import { runCli } from '../../load/testing/cli.js';
import { shippedProto } from '../../platform/grpc/mod.js';
import { sampleSum } from '../../platform/grpc/testing/prom.js';
import { startCounter } from './service.js';

const CALL = 'counter.incrementCounter/increment';

/** `peaklab load grpc://ADDRESS` as a user types it: 40 increments of `value` by 4 VUs, errors==0. */
function cliLoad(address: string, value: number) {
  const proto = shippedProto('counter.proto');
  const args = ['--vus', '4', '--requests', '40', '--proto', proto, '--call', CALL];
  return runCli([
    'load',
    `grpc://${address}`,
    ...args,
    '--data',
    `{"value":${value}}`,
    '--threshold',
    'errors==0',
  ]);
}

async function counterValue(metricsUrl: string): Promise<number> {
  return sampleSum(await (await fetch(`${metricsUrl}/metrics`)).text(), 'counter_value');
}

test('peaklab load grpc:// against the counter: every OK response is one increment the counter holds', async () => {
  const counter = await startCounter({ mode: 'inputq', store: 'memory', ioUs: 200, port: 0, metricsPort: 0 });
  try {
    // The library, closed model: 20 virtual users for 400 calls (a count, not a duration, so a
    // busy machine slows the test down instead of failing it).
    const r = await runLoad({
      target: `grpc://${counter.address}`,
      vus: 20,
      requests: 400,
      grpc: { proto: shippedProto('counter.proto'), call: CALL, data: '{"value":1}' },
    });
    assert.equal(r.settings.model, 'closed');
    assert.equal(r.summary.ok, 400, `${r.summary.ok} calls answered OK`);
    assert.equal(r.summary.failed, 0);
    assert.equal(r.summary.status.OK, r.summary.ok);
    // The identity: the server's own count is what the load generator saw succeed.
    assert.equal(await counterValue(counter.metricsUrl), r.summary.ok);

    // The CLI, as a user types it; a negative value is INVALID_ARGUMENT for every call.
    const bad = await cliLoad(counter.address, -1);
    assert.notEqual(bad.code, 0, 'the errors==0 threshold fails');
    assert.match(bad.out, /\[INVALID_ARGUMENT\]\t40 responses/);
    assert.equal(await counterValue(counter.metricsUrl), r.summary.ok, 'refused calls change nothing');

    const good = await cliLoad(counter.address, 2);
    assert.equal(good.code, 0, good.err);
    assert.match(good.out, /\[OK\]\t40 responses/);
    assert.equal(await counterValue(counter.metricsUrl), r.summary.ok + 80);
  } finally {
    await counter.close();
  }
});
