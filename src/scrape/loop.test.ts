import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAlignedLoop } from './loop.js';

test('the aligned loop ticks on the grid, skips a tick while one is still running, and stops', async () => {
  const slots: number[] = [];
  let running = 0;
  let overlapped = false;
  const loop = startAlignedLoop({
    intervalMs: 50,
    startedAt: 0,
    tick: async (slot) => {
      running++;
      if (running > 1) overlapped = true;
      slots.push(slot);
      // Every third tick overruns two intervals: the next ones must be skipped, not stacked.
      await new Promise((r) => setTimeout(r, slots.length % 3 === 0 ? 120 : 5));
      running--;
    },
  });
  await new Promise((r) => setTimeout(r, 600));
  loop.stop();
  const count = slots.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(slots.length, count, 'no tick after stop');
  assert.equal(overlapped, false, 'never two ticks at once');
  assert.ok(count >= 4 && count <= 12, `ticks in 600 ms at 50 ms with overruns: ${count}`);
  for (const s of slots) assert.equal(s % 50, 0, 'every slot is on the grid');
});
