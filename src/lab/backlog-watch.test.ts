import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drainConfirmedAt, drainedAtMs, startBacklogWatch } from './backlog-watch.js';
import type { BacklogProbe } from './ports.js';

const r = (atMs: number, depth: number | null) => ({ atMs, depth });

test('drained needs two zeros in a row, both at least 1 s after the load ended', () => {
  // Load ended at 5 s: the zeros at 5.2 and 5.7 s are too early; 6.2 is alone before 6.7's 3.
  const readings = [r(5200, 0), r(5700, 0), r(6200, 0), r(6700, 3), r(7200, 0), r(7700, 0)];
  assert.equal(drainConfirmedAt(readings, 5000), 5);
  assert.equal(drainedAtMs(readings, 5000), 7200, 'the start of the run of zeros that confirmed it');
  assert.equal(drainConfirmedAt(readings.slice(0, 5), 5000), -1);
});

test('a failed reading breaks a run of zeros: an unknown is not an empty queue', () => {
  const readings = [r(6000, 0), r(6500, null), r(7000, 0)];
  assert.equal(drainConfirmedAt(readings, 5000), -1);
  assert.equal(drainedAtMs(readings, 5000), null);
  assert.equal(drainConfirmedAt([...readings, r(7500, 0)], 5000), 3);
});

test('the drain time goes back to where the zeros began, even before the confirmation window', () => {
  const readings = [r(4500, 2), r(5000, 0), r(5500, 0), r(6000, 0), r(6500, 0)];
  assert.equal(drainedAtMs(readings, 5000), 5000);
});

/** A probe that answers from a script of depths, one per read, then the last one forever. */
function scripted(depths: number[], delayMs = 0): BacklogProbe & { reads: number } {
  const probe = {
    source: 'script',
    durable: false,
    reads: 0,
    async read() {
      const d = depths[Math.min(probe.reads, depths.length - 1)] as number;
      probe.reads++;
      if (delayMs > 0) await new Promise((res) => setTimeout(res, delayMs));
      return d;
    },
    async close() {},
  };
  return probe;
}

test('untilDrained waits for the rule, and gives up at its deadline or on abort', async () => {
  const start = Date.now();
  const draining = startBacklogWatch(scripted([5, 5, 0, 3, 0, 0]), start, { intervalMs: 50 });
  assert.equal(await draining.untilDrained(0, 5_000, new AbortController().signal), true);
  await draining.stop();
  assert.ok(draining.readings.length >= 6);

  const never = startBacklogWatch(scripted([4]), Date.now(), { intervalMs: 50 });
  const t0 = Date.now();
  assert.equal(await never.untilDrained(0, Date.now() - t0 + 300, new AbortController().signal), false);
  await never.stop();

  const aborted = startBacklogWatch(scripted([4]), Date.now(), { intervalMs: 50 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const t1 = Date.now();
  assert.equal(await aborted.untilDrained(0, 60_000, controller.signal), false);
  assert.ok(Date.now() - t1 < 1_000, 'the abort ended the wait');
  await aborted.stop();
});

test('a read slower than two intervals is recorded as a gap, and reads never overlap', async () => {
  const probe = scripted([1], 250);
  const watch = startBacklogWatch(probe, Date.now(), { intervalMs: 50 });
  await new Promise((res) => setTimeout(res, 600));
  await watch.stop();
  assert.ok(watch.readings.length >= 2);
  assert.ok(
    watch.readings.every((x) => x.depth === null),
    'every 250 ms read outlasted its 100 ms bound',
  );
  assert.equal(probe.reads, watch.readings.length, 'one read at a time');
});
