import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnPeaklab } from '../../shared/child-service.js';
import { needService } from '../../testing/services.js';
import { postOrder, rowCounts, testBackends } from './testing/harness.js';

const pgGate = await needService('postgres');

test('shutdown: SIGTERM finishes the requests in flight, refuses new ones, and exits 0', {
  skip: pgGate.skip,
  timeout: 30_000,
}, async () => {
  const backends = testBackends('shutdown');
  const args = [
    'serve',
    'orders',
    '--port',
    '0',
    '--mode',
    'direct',
    '--work-ms',
    '600',
    '--process-rps',
    '0',
  ];
  const svc = await spawnPeaklab(args, { env: backends.env });
  try {
    const url = svc.url as string;
    const inFlight = Array.from({ length: 5 }, () => postOrder(url));
    await new Promise((r) => setTimeout(r, 200)); // all five are inside their 600 ms of work
    const exited = svc.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const late = await postOrder(url).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.notEqual(late, 200, 'no new order is accepted while stopping');
    const answers = await Promise.all(inFlight);
    for (const a of answers) assert.equal(a.status, 200, 'a request in flight is finished');
    assert.equal(await exited, 0, 'exit 0: the shutdown completed (a failed one exits 1)');
    const rows = await rowCounts(backends.schema);
    for (const a of answers) assert.equal(rows.get(a.body.id as string), 1, 'and its row is committed');
  } finally {
    await svc.stop('SIGKILL');
    await backends.cleanup();
  }
});
