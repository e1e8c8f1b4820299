import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testBackends } from '../../testing/backends.js';
import { metricValue, scrape } from '../../testing/scrape.js';
import { needService } from '../../testing/services.js';
import { postOrder, processedCount, startTestService, storedOrders } from './testing/harness.js';
import { sendAtRate } from './testing/open-loop.js';

const pgGate = await needService('postgres');

test('shed: ~100 RPS against a limit of 50 sheds about half, each admitted order is processed once, and the counters match', {
  skip: pgGate.skip,
}, async () => {
  const backends = testBackends('shed');
  const svc = await startTestService(backends, {
    mode: 'shed',
    rpsLimit: '50',
    processRps: '50',
    workMs: '20',
  });
  try {
    const answers = await sendAtRate(svc.url, 100, 4);
    const ok = answers.filter((a) => a.status === 200);
    const shed = answers.filter((a) => a.status === 500);
    assert.equal(ok.length + shed.length, answers.length, 'every answer is 200 or 500');
    for (const a of shed) assert.deepEqual(a.body, { result: 'server-kaput' });
    // A sliding second admits 50: at a steady 100 RPS that is half, give or take the first second
    // and the bursts a busy machine makes of a steady sender (seen: 0.60 at load average 12).
    const shedShare = shed.length / answers.length;
    assert.ok(shedShare > 0.3 && shedShare < 0.7, `shed share ${shedShare.toFixed(2)} is about half`);

    const rows = await storedOrders(backends.schema);
    assert.deepEqual(
      [...rows.keys()].sort(),
      ok.map((a) => a.body.id).sort(),
      'a row per 200, none for the shed',
    );
    assert.equal(await processedCount([svc.url]), ok.length, 'each admitted order processed once');

    const text = await scrape(svc.url);
    assert.equal(metricValue(text, 'work_done_total{status="done"}'), ok.length);
    assert.equal(metricValue(text, 'work_done_total{status="error"}'), shed.length);
    assert.equal(
      metricValue(text, 'http_requests_total{method="POST",route="/orders",status="500"}'),
      shed.length,
    );
    assert.equal(
      metricValue(text, 'http_requests_total{method="POST",route="/orders",status="200"}'),
      ok.length,
    );
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});

test('shed: --shed-status 503 answers 503 server-kaput with Retry-After', { skip: pgGate.skip }, async () => {
  const backends = testBackends('shed503');
  const svc = await startTestService(backends, {
    mode: 'shed',
    rpsLimit: '5',
    processRps: '0',
    workMs: '0',
    shedStatus: '503',
  });
  try {
    const answers = await Promise.all(Array.from({ length: 12 }, () => postOrder(svc.url)));
    const ok = answers.filter((a) => a.status === 200);
    const shed = answers.filter((a) => a.status === 503);
    assert.equal(ok.length, 5, 'exactly the limit is admitted within one second');
    assert.equal(shed.length, 7);
    for (const a of shed) {
      assert.deepEqual(a.body, { result: 'server-kaput' });
      assert.equal(a.headers.get('retry-after'), '1');
    }
  } finally {
    await svc.close();
    await backends.cleanup();
  }
});
