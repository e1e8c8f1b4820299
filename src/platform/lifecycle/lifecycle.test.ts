import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capturingLogger } from '../../testing/logger.js';
import { Lifecycle } from './lifecycle.js';

test('lifecycle: parts stop in reverse order, each drained then closed, once', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const life = new Lifecycle({ logger: capturingLogger(lines), drainTimeoutMs: 1000, closeTimeoutMs: 1000 });
  const steps: string[] = [];
  for (const name of ['db', 'queue', 'http']) {
    life.add({
      name,
      drain: async () => {
        steps.push(`drain ${name}`);
        return 0;
      },
      close: async () => {
        steps.push(`close ${name}`);
      },
    });
  }
  const [a, b] = await Promise.all([life.shutdown(), life.shutdown()]);
  assert.equal(a, b, 'one shutdown, one report');
  assert.deepEqual(steps, ['drain http', 'close http', 'drain queue', 'close queue', 'drain db', 'close db']);
  assert.deepEqual(a, { clean: true, dropped: [], failed: [] });
  assert.throws(() => life.add({ name: 'late' }), /after shutdown began/);
});

test('lifecycle: what a part drops is logged in its unit; a hung part is cut off at the deadline', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const life = new Lifecycle({ logger: capturingLogger(lines), drainTimeoutMs: 200, closeTimeoutMs: 200 });
  let closedDb = false;
  life.add({
    name: 'db',
    close: async () => {
      closedDb = true;
    },
  });
  life.add({ name: 'stuck', close: () => new Promise(() => {}) });
  life.add({
    name: 'in-process queue',
    unit: 'orders',
    drain: (signal) =>
      new Promise((resolve) => signal.addEventListener('abort', () => resolve(7), { once: true })),
  });
  const started = Date.now();
  const report = await life.shutdown();
  assert.ok(Date.now() - started < 1000, 'bounded by drain + close budget');
  assert.equal(report.clean, false);
  assert.deepEqual(report.dropped, [{ part: 'in-process queue', unit: 'orders', count: 7 }]);
  assert.deepEqual(
    report.failed.map((f) => `${f.part} ${f.step}`),
    ['stuck close'],
  );
  assert.ok(closedDb, 'the parts after a stuck one still stop');
  const dropped = lines.find((l) => l.event === 'dropped');
  assert.equal(dropped?.orders, 7, '{"event":"dropped","orders":7}');
});
