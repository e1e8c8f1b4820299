import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShedWindow } from './shed-window.js';

test('shed window: admits `limit` per sliding second, then sheds until the oldest admission ages out', () => {
  const w = new ShedWindow(3);
  assert.deepEqual(
    [0, 10, 20, 30, 999].map((t) => w.tryAdmit(t)),
    [true, true, true, false, false],
  );
  assert.equal(w.tryAdmit(1000), true, 'the admission at 0 left the window');
  assert.equal(w.tryAdmit(1005), false);
  assert.equal(w.tryAdmit(1010), true);
});

test('shed window: a steady 100/s against a limit of 50 admits 50 per second', () => {
  const w = new ShedWindow(50);
  let admitted = 0;
  for (let t = 0; t < 10_000; t += 10) if (w.tryAdmit(t)) admitted++;
  assert.equal(admitted, 500);
});

test('shed window: limit 0 admits everything', () => {
  const w = new ShedWindow(0);
  for (let i = 0; i < 1000; i++) assert.equal(w.tryAdmit(0), true);
});
